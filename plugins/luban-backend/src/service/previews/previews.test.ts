import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ConfigReader } from '@backstage/config';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import request from 'supertest';
import type { LubanPreviews } from '@luban-backstage/plugin-luban-common';
import { DEMO } from '@luban-backstage/emulator';
import { LubanClusters } from '@luban-backstage/plugin-luban-node';
import { DEMO_OWNER, emulatorConfig, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { BobSeesOnlyHisOwnEntities } from '../../__testUtils__/ownedCatalogPolicy';
import { untilServed, watchedRootLogger } from '../../__testUtils__/waiting';
import { eventsModuleLubanWebhooks } from '../../webhooks/webhookModule';

const SECRET = `canary-${randomBytes(16).toString('hex')}`;
const AZURE_SECRET = `azure-canary-${randomBytes(16).toString('hex')}`;
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
const CI = `ci-${DEMO.project}`;
const SND = `snd-${DEMO.project}`;
const SOURCE_REPOSITORY = `github/${DEMO.project}/${DEMO.app}.git`;
const MARKER = '<!-- luban-preview -->';
/** A file that makes the emulated kpack build fail (packages/emulator KpackController FAIL_BUILD_FILE). */
const FAIL_BUILD_FILE = 'FAIL_BUILD';
const PREVIEWS_PATH = `/api/luban/entities/component/default/${DEMO.app}-previewed/previews`;

/** The demo app's source also on Azure DevOps, with kpack's read credential for it (as onboarding writes it); its Component opts in. */
async function azureSourceRepository(emulator: Awaited<ReturnType<typeof startLubanBackend>>['emulator']) {
  const { organization } = emulator.azure;
  await emulator.azure.api.createProject(organization, DEMO.project);
  await emulator.azure.api.createRepository(organization, DEMO.project, DEMO.app, { files: { 'README.md': '# ledger-api\n' } });
  const base64 = (value: string) => Buffer.from(value).toString('base64');
  emulator.kubernetes.create('secrets', {
    metadata: { name: 'luban-git-azure', namespace: CI, annotations: { 'kpack.io/git': new URL(emulator.azure.url).origin } },
    type: 'kubernetes.io/basic-auth',
    data: { username: base64('luban'), password: base64(emulator.token) },
  } as any);
  const [account] = emulator.kubernetes.list('serviceaccounts', CI).filter(a => a.metadata.name === 'luban-builder');
  emulator.kubernetes.remove('serviceaccounts', CI, 'luban-builder');
  const { resourceVersion, uid, creationTimestamp, ...metadata } = account.metadata as any;
  emulator.kubernetes.create('serviceaccounts', { ...account, metadata, secrets: [...(account as any).secrets, { name: 'luban-git-azure' }] } as any);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `${DEMO.app}-on-azure`,
      annotations: {
        'luban.dev/project': DEMO.project,
        'luban.dev/app': DEMO.app,
        'luban.dev/previews': 'enabled',
        'luban.dev/source-repo': `${emulator.azure.url}/${organization}/${DEMO.project}/_git/${DEMO.app}`,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: DEMO_OWNER },
  };
}

/**
 * Pull-request previews, through the real webhook ingress and the emulated
 * git hosts, kpack and Argo CD. GitHub delivers `pull_request` (opened,
 * synchronize, closed) as docs.github.com/webhooks/webhook-events-and-payloads#pull_request
 * documents; Azure DevOps `git.pullrequest.created/updated` as
 * learn.microsoft.com/azure/devops/service-hooks/events documents.
 */
describe('pull-request previews', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  const logs = watchedRootLogger();
  const github = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${backend.emulator.github.apiBaseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `token ${backend.emulator.token}`, 'Content-Type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const outcomes = () => logs.withMessage('luban handled a pull-request delivery').map(l => [l.meta.delivery, l.meta.outcome]);
  /** Delivers a signed GitHub `pull_request` event as GitHub would; resolves with what luban made of it. */
  const deliverPullRequest = async (payload: object) => {
    const body = JSON.stringify(payload);
    const id = randomBytes(8).toString('hex');
    const response = await request(backend.server)
      .post('/api/events/http/luban-github')
      .set('Content-Type', 'application/json')
      .set({ 'X-GitHub-Event': 'pull_request', 'X-GitHub-Delivery': id, 'X-Hub-Signature-256': sign(body) })
      .send(body);
    expect(response.status).toBe(202);
    await logs.waitFor(() => outcomes().some(([delivery]) => delivery === id));
    return outcomes().find(([delivery]) => delivery === id)![1];
  };
  const objects = (type: string, namespace: string, pr: number) =>
    backend.emulator.kubernetes.list(type, namespace).filter(o => o.metadata.name.includes(`-pr-${pr}`));
  /** What luban audited of previews (`luban-preview`, succeeded), in order: each step's comment is made before its audit. */
  const audited = () =>
    logs.lines
      .filter(l => l.meta.isAuditEvent && l.message === 'luban.luban-preview' && l.meta.status === 'succeeded')
      .map(l => (l.meta.meta as { actionType?: string }).actionType);
  const waitFor = (condition: () => boolean) => backend.emulator.kubernetes.store.waitFor(condition);
  const previewApplication = (pr: number) =>
    backend.emulator.kubernetes.list('applications', 'argocd').find(a => a.metadata.name === `snd-${DEMO.project}-${DEMO.app}-pr-${pr}`);
  const commentsOf = async (pr: number) => {
    const answer = await github(`/repos/${DEMO.project}/${DEMO.app}/issues/${pr}/comments`);
    return ((await answer.json()) as Array<{ body: string }>).filter(c => c.body.includes(MARKER)).map(c => c.body);
  };
  /** Waits until the preview Application runs this commit's build, and returns its digest. */
  const deployedDigest = async (pr: number, sha: string) => {
    const builtDigest = () =>
      objects('builds', CI, pr).find(b => b.spec.source.git.revision === sha && b.status?.latestImage)?.status.latestImage.split('@')[1];
    await waitFor(() => Boolean(builtDigest()) && JSON.stringify(previewApplication(pr)?.spec ?? {}).includes(builtDigest()));
    return builtDigest() as string;
  };
  /** GET …/previews of the GitHub Component as its owner, once the answer satisfies the condition (served from Argo CD's informer). */
  const untilListed = (condition: (body: LubanPreviews) => boolean) =>
    untilServed(async () => {
      const answer = await request(backend.server).get(PREVIEWS_PATH).set('Authorization', backend.owner);
      expect(answer.status).toBe(200);
      return condition(answer.body) ? (answer.body as LubanPreviews) : undefined;
    });
  const commitTo = async (branch: string, content: string, repository = SOURCE_REPOSITORY, more: Array<{ path: string; content: string }> = []) => {
    const main = await backend.emulator.git.resolve(repository, 'main');
    const head = await backend.emulator.git.resolve(repository, branch);
    const commit = await backend.emulator.git.commit(repository, {
      branch,
      ...(head ? { expectedSha: head } : { from: main }),
      message: `Change ${content}`,
      changes: [{ path: 'src/ledger_api/preview.py', content }, ...more],
      author: { name: 'Ada Payments', email: 'ada@payments.example' },
    });
    return commit.sha;
  };

  beforeAll(async () => {
    backend = await startLubanBackend({
      // Another team (bob) reads only what it owns: the previews route must refuse it.
      policy: new BobSeesOnlyHisOwnEntities(),
      config: {
        luban: { webhooks: { github: { secret: SECRET }, azure: { secret: AZURE_SECRET } }, gateway: { domainSuffix: 'apps.example.com' } },
        events: { useEventBus: 'never' },
      },
      features: [eventsPlugin, eventsModuleLubanWebhooks, eventsServiceFactory, logs.factory],
      entities: async emulator => [
        await azureSourceRepository(emulator),
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: `${DEMO.app}-previewed`,
            annotations: {
              'luban.dev/project': DEMO.project,
              'luban.dev/app': DEMO.app,
              'luban.dev/previews': 'enabled',
              'backstage.io/source-location': `url:${emulator.github.url}/${DEMO.project}/${DEMO.app}/tree/main/`,
            },
          },
          spec: { type: 'service', lifecycle: 'production', owner: DEMO_OWNER },
        },
        {
          // Anyone can register this: it claims the app, its owner, and another repository as its source.
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: `${DEMO.app}-forged`,
            annotations: {
              'luban.dev/project': DEMO.project,
              'luban.dev/app': DEMO.app,
              'luban.dev/previews': 'enabled',
              'luban.dev/source-repo': `${emulator.github.url}/${DEMO.project}/elsewhere`,
            },
          },
          spec: { type: 'service', lifecycle: 'production', owner: DEMO_OWNER },
        },
      ],
    });
    const { port } = backend.server.address() as AddressInfo;
    const hook = await github(`/repos/${DEMO.project}/${DEMO.app}/hooks`, {
      method: 'POST',
      body: { config: { url: `http://127.0.0.1:${port}/api/events/http/luban-github`, secret: SECRET, content_type: 'json' }, events: ['pull_request'] },
    });
    if (hook.status !== 201) throw new Error(`the webhook was not registered: ${hook.status}`);
  }, 90_000);
  afterAll(() => backend?.stop());

  it('on GitHub: opening builds the head and deploys it with one comment, a push moves it, closing deletes everything', async () => {
    const first = await commitTo('feature-preview', 'A = 1\n');
    const opened = await github(`/repos/${DEMO.project}/${DEMO.app}/pulls`, {
      method: 'POST',
      body: { head: 'feature-preview', base: 'main', title: 'Try a preview' },
    });
    const pr = ((await opened.json()) as { number: number }).number;

    const firstDigest = await deployedDigest(pr, first);
    const [image] = objects('images', CI, pr);
    expect(image.metadata.name).toBe(`${DEMO.app}-pr-${pr}`);
    expect(image.spec.source.git.revision).toBe(first);
    const application = previewApplication(pr)!;
    expect(application.spec.project).toBe(DEMO.project);
    expect(application.spec.destination.namespace).toBe(SND);
    expect(application.spec.source.kustomize.images).toEqual([`${DEMO.app}=${image.spec.tag.split(':pr-')[0]}@${firstDigest}`]);
    await waitFor(() => (previewApplication(pr)?.status?.sync?.status === 'Synced'));
    // Argo CD deployed the preview beside the app, under its own name, running the preview's digest.
    const deployment = () => backend.emulator.kubernetes.list('deployments', SND).find(d => d.metadata.name === `${DEMO.app}-pr-${pr}`);
    await waitFor(() => Boolean(deployment()));
    expect(deployment()!.spec.template.spec.containers[0].image).toContain(firstDigest);
    expect(backend.emulator.kubernetes.list('deployments', SND).find(d => d.metadata.name === DEMO.app)?.spec.template.spec.containers[0].image).not.toContain(firstDigest);
    await logs.waitFor(() => audited().length === 2);
    const address = `https://${DEMO.app}-pr-${pr}.${DEMO.project}.snd.apps.example.com/`;
    expect(await commentsOf(pr)).toEqual([expect.stringContaining(address)]);
    // The Delivery view's list (GET …/previews): the pull request, its digest, address and Argo CD state; another team is refused.
    const listed = await untilListed(body => body.previews[0]?.sync === 'Synced');
    expect(listed.previews).toEqual([
      {
        pullRequest: { number: pr, url: `${backend.emulator.github.url}/${DEMO.project}/${DEMO.app}/pull/${pr}` },
        application: `snd-${DEMO.project}-${DEMO.app}-pr-${pr}`,
        environment: 'snd',
        digest: firstDigest,
        address,
        sync: 'Synced',
        health: expect.any(String),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    // luban's policy lets anyone read; with the catalog scoped to owners, another team's read is answered as for no such app.
    const refused = await request(backend.server).get(PREVIEWS_PATH).set('Authorization', backend.otherTeam);
    expect([refused.status, refused.body.error?.name, JSON.stringify(refused.body)]).toEqual([404, 'NotFoundError', expect.not.stringContaining(firstDigest)]);

    // GitHub redelivers the opening delivery: nothing is built or deployed twice, the comment stays one.
    const delivery = backend.emulator.github.api.deliveries().find(d => d.event === 'pull_request' && d.action === 'opened')!;
    const builds = objects('builds', CI, pr).length;
    const post = (headers: Record<string, string>) => {
      const call = request(backend.server).post('/api/events/http/luban-github').set('Content-Type', 'application/json');
      for (const [name, value] of Object.entries(headers)) call.set(name, value);
      return call.send(delivery.request.body);
    };
    expect((await post(delivery.request.headers)).status).toBe(202);
    // The same payload under a new delivery id (the id is not signed): still once per commit.
    expect((await post({ ...delivery.request.headers, 'X-GitHub-Delivery': randomBytes(8).toString('hex'), 'X-Hub-Signature-256': sign(delivery.request.body) })).status).toBe(202);
    await logs.waitFor(() => outcomes().filter(([id]) => id === delivery.guid).length === 2);
    expect(outcomes().filter(([id]) => id === delivery.guid).map(([, outcome]) => outcome)).toEqual(['preview', 'replay']);
    await backend.emulator.settled();
    expect(objects('builds', CI, pr)).toHaveLength(builds);

    // A new commit on the pull request (synchronize): rebuilt, the preview moves to the new digest, the same comment updated.
    const second = await commitTo('feature-preview', 'A = 2\n');
    const secondDigest = await deployedDigest(pr, second);
    expect(secondDigest).not.toBe(firstDigest);
    await logs.waitFor(() => audited().length === 4);
    const comments = await commentsOf(pr);
    expect(comments).toEqual([expect.stringContaining(second.slice(0, 7))]);
    expect(comments[0]).toContain(address);

    // A commit whose build fails: the comment says so, the preview keeps running the previous digest.
    const broken = await commitTo('feature-preview', 'A = 3\n', SOURCE_REPOSITORY, [{ path: FAIL_BUILD_FILE, content: 'fail\n' }]);
    await logs.waitFor(() => logs.withMessage('luban did not deploy a preview whose build failed').some(l => l.meta.revision === broken));
    expect(await commentsOf(pr)).toEqual([expect.stringContaining(`the build of ${broken.slice(0, 7)} failed`)]);
    expect(previewApplication(pr)!.spec.source.kustomize.images).toEqual([expect.stringContaining(secondDigest)]);

    // Closed: the Application (and with it the Deployment, Service and route), the Image and its Builds are gone.
    expect((await github(`/repos/${DEMO.project}/${DEMO.app}/pulls/${pr}`, { method: 'PATCH', body: { state: 'closed' } })).status).toBe(200);
    await waitFor(() => !previewApplication(pr) && objects('images', CI, pr).length === 0 && objects('builds', CI, pr).length === 0);
    await waitFor(() => objects('deployments', SND, pr).length === 0 && objects('services', SND, pr).length === 0);
    await logs.waitFor(() => audited().length === 6);
    expect(await commentsOf(pr)).toEqual([expect.stringContaining('removed')]);
    expect(audited()).toEqual(['build', 'deploy', 'build', 'deploy', 'build', 'delete']);
    expect((await untilListed(body => body.previews.length === 0)).previews).toEqual([]);
  });

  it('makes nothing when Kubernetes refuses the build, and acts on the redelivery of the same delivery', async () => {
    const head = await commitTo('feature-refused', 'B = 1\n');
    const refused = backend.emulator.faults.fail({ system: 'kubernetes', method: 'POST', path: /^\/apis\/kpack\.io\/v1alpha2\/namespaces\/[^/]+\/images$/, status: 503 });
    const opened = await github(`/repos/${DEMO.project}/${DEMO.app}/pulls`, { method: 'POST', body: { head: 'feature-refused', base: 'main', title: 'Refused' } });
    const pr = ((await opened.json()) as { number: number }).number;
    await backend.emulator.github.api.deliveriesSettled();
    const delivery = backend.emulator.github.api.deliveries().find(d => d.event === 'pull_request' && (d.request.payload as { number: number }).number === pr)!;
    await logs.waitFor(() => outcomes().some(([id]) => id === delivery.guid));
    refused();
    expect(outcomes().filter(([id]) => id === delivery.guid).map(([, outcome]) => outcome)).toEqual(['failed']);
    expect([objects('images', CI, pr), previewApplication(pr), await commentsOf(pr)]).toEqual([[], undefined, []]);

    // GitHub's redelivery (the same delivery id) builds and deploys it.
    const redelivered = request(backend.server).post('/api/events/http/luban-github').set('Content-Type', 'application/json');
    for (const [name, value] of Object.entries(delivery.request.headers)) redelivered.set(name, value);
    expect((await redelivered.send(delivery.request.body)).status).toBe(202);
    await deployedDigest(pr, head);
    expect((await github(`/repos/${DEMO.project}/${DEMO.app}/pulls/${pr}`, { method: 'PATCH', body: { state: 'closed' } })).status).toBe(200);
    await waitFor(() => !previewApplication(pr) && objects('images', CI, pr).length === 0 && objects('builds', CI, pr).length === 0);
    await waitFor(() => objects('deployments', SND, pr).length === 0);
    await logs.waitFor(() => outcomes().filter(([id]) => id === delivery.guid).length === 2);
    expect(outcomes().filter(([id]) => id === delivery.guid).map(([, outcome]) => outcome)).toEqual(['failed', 'preview']);
  });

  it("leaves alone a real app's Image that has a preview's name: neither overwritten on open nor deleted on close", async () => {
    // An app named like a preview (`<app>-pr-<n>`) in the same namespace: not luban's preview, whatever its name says.
    const name = `${DEMO.app}-pr-99`;
    backend.emulator.kubernetes.create('images', {
      apiVersion: 'kpack.io/v1alpha2',
      kind: 'Image',
      metadata: { name, namespace: CI, labels: { 'luban.dev/app': name } },
      spec: { tag: 'registry.invalid/payments/other:latest', source: { git: { url: 'https://git.invalid/other', revision: 'main' } } },
    } as any);
    const deliver = (action: string) =>
      deliverPullRequest({
        action,
        number: 99,
        pull_request: { number: 99, head: { sha: 'c'.repeat(40), ref: 'x', repo: { full_name: `${DEMO.project}/${DEMO.app}` } } },
        repository: { full_name: `${DEMO.project}/${DEMO.app}`, html_url: `${backend.emulator.github.url}/${DEMO.project}/${DEMO.app}` },
      });
    const image = () => backend.emulator.kubernetes.list('images', CI).find(i => i.metadata.name === name);
    const before = image()!.spec;

    expect(await deliver('opened')).toBe('failed');
    expect(image()!.spec).toEqual(before);
    expect(await deliver('closed')).toBe('preview');
    expect(image()!.spec).toEqual(before);
    expect(logs.withMessage('luban left alone an object named like a preview that is not one')).toEqual([
      expect.objectContaining({ meta: expect.objectContaining({ kind: 'Image', name }) }),
    ]);
  });

  it('on Azure DevOps: created builds and deploys with one comment thread, a push moves it, abandoning deletes everything', async () => {
    const { organization, organizationUrl } = backend.emulator.azure;
    const azure = async (path: string, init: { method?: string; body?: unknown } = {}) => {
      const answer = await fetch(`${organizationUrl}/${path}${path.includes('?') ? '&' : '?'}api-version=7.1`, {
        method: init.method ?? 'GET',
        headers: { Authorization: `Basic ${Buffer.from(`:${backend.emulator.token}`).toString('base64')}`, 'Content-Type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      if (answer.status >= 300) throw new Error(`${init.method ?? 'GET'} ${path}: ${answer.status} ${await answer.text()}`);
      return answer.json() as Promise<any>;
    };
    // The app's source lives on Azure DevOps now: its kpack Image builds that repository, as onboarding writes it
    // (a preview builds only the repository the app's Image builds).
    await LubanClusters.fromConfig(new ConfigReader(emulatorConfig(backend.emulator)))
      .gateway()
      .mergePatch(
        { apiVersion: 'kpack.io/v1alpha2', kind: 'Image', metadata: { name: DEMO.app, namespace: CI } },
        { spec: { source: { git: { url: `${backend.emulator.azure.url}/${organization}/${DEMO.project}/_git/${DEMO.app}` } } } },
      );
    const repository = await azure(`${DEMO.project}/_apis/git/repositories/${DEMO.app}`);
    const { port } = backend.server.address() as AddressInfo;
    for (const eventType of ['git.pullrequest.created', 'git.pullrequest.updated']) {
      await azure('_apis/hooks/subscriptions', {
        method: 'POST',
        body: {
          publisherId: 'tfs',
          eventType,
          resourceVersion: '1.0',
          consumerId: 'webHooks',
          consumerActionId: 'httpRequest',
          publisherInputs: { projectId: repository.project.id, repository: repository.id },
          consumerInputs: { url: `http://127.0.0.1:${port}/api/events/http/luban-azure`, httpHeaders: `Authorization: Bearer ${AZURE_SECRET}` },
        },
      });
    }
    const path = await backend.emulator.azure.api.repositoryPath(organization, DEMO.project, DEMO.app);
    const threadComments = async (pr: number) =>
      ((await azure(`${DEMO.project}/_apis/git/repositories/${DEMO.app}/pullRequests/${pr}/threads`)).value as Array<{ comments: Array<{ content: string }> }>)
        .map(t => t.comments[0].content)
        .filter(c => c.includes(MARKER));
    const auditedBefore = audited().length;

    const first = await commitTo('feature-preview', 'A = 1\n', path);
    const opened = await azure(`${DEMO.project}/_apis/git/repositories/${DEMO.app}/pullrequests`, {
      method: 'POST',
      body: { sourceRefName: 'refs/heads/feature-preview', targetRefName: 'refs/heads/main', title: 'Try a preview' },
    });
    const pr = opened.pullRequestId as number;
    const firstDigest = await deployedDigest(pr, first);
    expect(objects('images', CI, pr).map(i => i.spec.source.git.url)).toEqual([`${backend.emulator.azure.url}/${organization}/${DEMO.project}/_git/${DEMO.app}`]);
    await logs.waitFor(() => audited().length === auditedBefore + 2);
    const address = `https://${DEMO.app}-pr-${pr}.${DEMO.project}.snd.apps.example.com/`;
    expect(await threadComments(pr)).toEqual([expect.stringContaining(address)]);

    // A push to the source branch ("Pull request updated"): the preview moves, the same thread's comment is updated.
    const second = await commitTo('feature-preview', 'A = 2\n', path);
    expect(await deployedDigest(pr, second)).not.toBe(firstDigest);
    await logs.waitFor(() => audited().length === auditedBefore + 4);
    expect(await threadComments(pr)).toEqual([expect.stringContaining(second.slice(0, 7))]);

    await azure(`${DEMO.project}/_apis/git/repositories/${DEMO.app}/pullrequests/${pr}`, { method: 'PATCH', body: { status: 'abandoned' } });
    await waitFor(() => !previewApplication(pr) && objects('images', CI, pr).length === 0 && objects('builds', CI, pr).length === 0);
    await waitFor(() => objects('deployments', SND, pr).length === 0 && objects('services', SND, pr).length === 0);
    await logs.waitFor(() => audited().length === auditedBefore + 5);
    expect(await threadComments(pr)).toEqual([expect.stringContaining('removed')]);
    expect(audited().slice(auditedBefore)).toEqual(['build', 'deploy', 'build', 'deploy', 'delete']);
  });

  // The repository to build comes from the app's kpack Image, which luban wrote at onboarding, not from the catalog.
  it("refuses a pull request on a repository the app's Image does not build, though a Component claims it: zero mutating requests", async () => {
    const payload = {
      action: 'opened',
      number: 7,
      pull_request: { number: 7, head: { sha: 'a'.repeat(40), ref: 'x', repo: { full_name: `${DEMO.project}/elsewhere` } } },
      repository: { full_name: `${DEMO.project}/elsewhere`, html_url: `${backend.emulator.github.url}/${DEMO.project}/elsewhere` },
    };
    backend.emulator.requests.clear();
    expect(await deliverPullRequest(payload)).toBe('not a preview app');
    expect(backend.emulator.requests.mutating()).toEqual([]);
    // The forged Component was considered, and refused for the repository its app's Image builds.
    expect(logs.lines.filter(l => l.message === "luban made no preview: the app's kpack Image builds another repository")).toEqual([
      expect.objectContaining({ meta: expect.objectContaining({ entityRef: `component:default/${DEMO.app}-forged` }) }),
    ]);
  });
});
