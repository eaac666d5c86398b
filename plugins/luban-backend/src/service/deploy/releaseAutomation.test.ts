import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { DEMO, ZERO_SHA, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import type { LubanBuildList, LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { ConfigReader } from '@backstage/config';
import { LubanClusters } from '@luban-backstage/plugin-luban-node';
import { DEMO_ENTITY_PATH, DEMO_OWNER, emulatorConfig, recordProject, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilGit, untilServed, watchedRootLogger, type LoggedLine } from '../../__testUtils__/waiting';
import { eventsModuleLubanWebhooks } from '../../webhooks/webhookModule';

const SECRET = `canary-${randomBytes(16).toString('hex')}`;
const AZURE_SECRET = `azure-canary-${randomBytes(16).toString('hex')}`;
const SOURCE = `github/${DEMO.project}/${DEMO.app}.git`;
const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const overlayOf = (env: string) => `apps/${DEMO.app}/overlays/${env}/kustomization.yaml`;
const IMAGE_NAMESPACE = `ci-${DEMO.project}`;
const AZURE_SOURCE_URL = (emulator: RunningEmulator) => `${emulator.azure.organizationUrl}/${DEMO.project}/_git/${DEMO.app}`;

/**
 * A third environment, qa, promoted from snd by itself (`autoPromote: commit`): its namespace, a place in
 * the project's AppProject, an overlay on build 1 and an Application Argo CD syncs by itself.
 */
async function addQa(emulator: RunningEmulator) {
  emulator.kubernetes.create('namespaces', { metadata: { name: `qa-${DEMO.project}`, labels: { 'luban.dev/environment': 'qa' } } });
  const project = emulator.kubernetes.list('appprojects', 'argocd').find(p => p.metadata.name === DEMO.project)!;
  emulator.kubernetes.remove('appprojects', 'argocd', DEMO.project);
  const { resourceVersion: _v, uid: _u, creationTimestamp: _c, generation: _g, ...metadata } = project.metadata;
  const destinations = [...project.spec.destinations, { server: project.spec.destinations[0].server, namespace: `qa-${DEMO.project}` }];
  emulator.kubernetes.create('appprojects', { ...project, metadata, spec: { ...project.spec, destinations } });
  const prd = (await emulator.git.readFile(GITOPS, 'main', overlayOf('prd')))!.content.toString();
  await emulator.git.commit(GITOPS, {
    branch: 'main',
    expectedSha: await emulator.git.resolve(GITOPS, 'main'),
    message: `Add ${DEMO.app} to qa`,
    changes: [{ path: overlayOf('qa'), content: prd.replace(`prd-${DEMO.project}`, `qa-${DEMO.project}`) }],
    author: { name: 'luban', email: 'luban@luban.invalid' },
  });
  const snd = emulator.kubernetes.list('applications', 'argocd').find(a => a.metadata.name === `snd-${DEMO.project}-${DEMO.app}`)!;
  emulator.kubernetes.create('applications', {
    apiVersion: snd.apiVersion,
    kind: snd.kind,
    metadata: { name: `qa-${DEMO.project}-${DEMO.app}`, namespace: 'argocd', labels: { ...snd.metadata.labels, 'luban.dev/environment': 'qa' } },
    spec: { ...snd.spec, source: { ...snd.spec.source, path: `apps/${DEMO.app}/overlays/qa` }, destination: { ...snd.spec.destination, namespace: `qa-${DEMO.project}` } },
  });
  await emulator.settled();
}

/**
 * What luban does by itself around releases (issue 21 points 6-8), against the emulator:
 * - a pushed version tag is built as the reference platform's tag mode builds it (metasync/luban-ci
 *   `luban-ci-kpack-template`: the Image pointed at the commit with the additional tag `<repo>:1.2.3`, a
 *   build env change forcing a build of an already built commit, kpack pkg/buildchange/config_change.go);
 *   kpack copies the Image's labels onto its Build (kpack pkg/apis/build/v1alpha2/image_builds.go);
 * - a chain: qa (`autoPromote: commit`) takes snd's new digest once snd runs it Synced and Healthy; prd
 *   (`luban.releases.promoteTagsTo`) gets a pull request only for a release candidate;
 * - prd Degraded soon after a change of its overlay gets the rollback pull request, never merged.
 */
describe('release automation: tags, chains and rollback proposals', () => {
  const logs = watchedRootLogger();
  let emulator: RunningEmulator;
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${emulator.github.apiBaseUrl}${path}`, {
      ...init,
      headers: { Authorization: `token ${emulator.token}`, 'Content-Type': 'application/json', ...init.headers },
    });
  const auditEvents = (eventId: string) =>
    logs.lines.filter(l => l.meta.isAuditEvent && l.message === `luban.${eventId}` && l.meta.status === 'succeeded');
  const auditMeta = (line: LoggedLine) => line.meta.meta as Record<string, unknown>;
  const releaseBuilds = (tag: string) =>
    emulator.kubernetes.list('builds', IMAGE_NAMESPACE).filter(b => b.metadata.labels?.['luban.dev/release-tag'] === tag);
  const overlay = async (env: string) => (await emulator.git.readFile(GITOPS, 'main', overlayOf(env)))?.content.toString() ?? '';
  const openPulls = async () => (await (await api(`/repos/${DEMO.project}/${DEMO.project}-gitops/pulls?state=open`)).json()) as Array<any>;
  const state = async () =>
    (await request(backend.server).get(`${DEMO_ENTITY_PATH}/promotion`).set('Authorization', backend.owner)).body as LubanPromotionState;
  const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const post = (topic: string, body: string, headers: Record<string, string>) => {
    const call = request(backend.server).post(`/api/events/http/${topic}`).set('Content-Type', 'application/json');
    for (const [name, value] of Object.entries(headers)) call.set(name, value);
    return call.send(body);
  };
  const outcomes = () => logs.withMessage('luban handled a webhook delivery').map(l => [l.meta.delivery, l.meta.outcome]);

  beforeAll(async () => {
    emulator = await startEmulator({ buildStepMs: 20, rolloutMs: 20 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    await seedDemo(emulator);
    await addQa(emulator);
    backend = await startLubanBackend({
      emulator,
      config: {
        luban: {
          environments: [{ name: 'snd' }, { name: 'prd', requiredApprovals: 0 }, { name: 'qa', promotesFrom: 'snd', autoPromote: 'commit' }],
          releases: { promoteTagsTo: 'prd', rollbackProposalWindow: '30m' },
          webhooks: { github: { secret: SECRET }, azure: { secret: AZURE_SECRET } },
        },
        events: { useEventBus: 'never' },
      },
      features: [eventsPlugin, eventsModuleLubanWebhooks, eventsServiceFactory, logs.factory],
      // The same app, its source on Azure DevOps as far as luban knows (a tag pushed there names a commit kpack can fetch).
      entities: async running => [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: `${DEMO.app}-on-azure`,
            annotations: { 'luban.dev/project': DEMO.project, 'luban.dev/app': DEMO.app, 'luban.dev/source-repo': AZURE_SOURCE_URL(running) },
          },
          spec: { type: 'service', lifecycle: 'production', owner: DEMO_OWNER },
        },
      ],
    });
    const { port } = backend.server.address() as AddressInfo;
    const hook = await api(`/repos/${DEMO.project}/${DEMO.app}/hooks`, {
      method: 'POST',
      body: JSON.stringify({ config: { url: `http://127.0.0.1:${port}/api/events/http/luban-github`, secret: SECRET, content_type: 'json' }, events: ['push'] }),
    });
    if (hook.status !== 201) throw new Error(`the webhook was not registered: ${hook.status}`);
  }, 90_000);
  afterAll(async () => {
    await backend?.stop();
    await emulator?.stop();
  });

  it('chains: qa takes the digest snd runs Synced and Healthy, by one commit, and prd gets nothing for a build that is no release', async () => {
    const snd = await overlay('snd');
    const sndDigest = /sha256:[0-9a-f]{64}/.exec(snd)![0];
    await untilGit(emulator, async () => ((await overlay('qa')).includes(sndDigest) ? true : undefined));
    await logs.waitFor(() => auditEvents('auto-promote').length >= 1);

    const [event] = auditEvents('auto-promote');
    expect(auditMeta(event)).toMatchObject({ actor: 'luban-auto-promote', entityRef: `component:default/${DEMO.app}`, from: 'snd', to: 'qa', digest: sndDigest, why: 'auto-promote', by: 'commit' });
    const history = await emulator.git.log(GITOPS, 'main', { path: overlayOf('qa') });
    expect(history.map(c => c.message.split('\n')[0]).filter(m => m.startsWith('Promote'))).toHaveLength(1);
    expect((await overlay('prd')).includes(sndDigest)).toBe(false);
    expect((await openPulls()).filter(p => p.head.ref.startsWith('luban/promote/'))).toEqual([]);
  });

  it('builds a pushed version tag as a release candidate tagged 1.2.3, once, and proposes it to prd once snd runs it', async () => {
    const head = (await emulator.git.resolve(SOURCE, 'main'))!;
    const registry = new URL(emulator.harbor.url).host;
    await emulator.git.updateRef(SOURCE, 'refs/tags/v1.2.3', head, { expectedSha: ZERO_SHA });
    await emulator.github.api.deliveriesSettled();
    await emulator.kubernetes.store.waitFor(() => releaseBuilds('1.2.3').length === 1);
    const imageOf = () => emulator.kubernetes.list('images', IMAGE_NAMESPACE).find(i => i.metadata.name === DEMO.app)!;
    // The Image follows its branch again once kpack has created the build.
    await emulator.kubernetes.store.waitFor(() => imageOf().spec.source.git.revision === 'main');
    await emulator.settled();

    const [build] = releaseBuilds('1.2.3');
    // The commit main had built already: built again (a CONFIG change), now with the release's tag.
    expect([build.spec.source.git.revision, build.metadata.annotations?.['image.kpack.io/reason']]).toEqual([head, 'CONFIG']);
    expect(build.spec.tags).toContain(`${registry}/${DEMO.project}/${DEMO.app}:1.2.3`);
    expect(imageOf().metadata.labels?.['luban.dev/release-tag']).toBeUndefined();
    expect(imageOf().spec.additionalTags ?? []).toEqual([]);
    const list = (await request(backend.server).get(`${DEMO_ENTITY_PATH}/builds`).set('Authorization', backend.owner)).body as LubanBuildList;
    expect(list.builds.find(b => b.name === build.metadata.name)).toMatchObject({ releaseTag: '1.2.3', revision: head, status: 'succeeded' });
    expect(list.builds.filter(b => b.releaseTag)).toHaveLength(1);

    // Auto-deploy puts it in snd; once snd runs it Synced and Healthy, prd gets its pull request and qa its commit.
    const digest = String(build.status.latestImage).split('@')[1];
    await logs.waitFor(() => auditEvents('auto-promote').some(e => auditMeta(e).to === 'prd'));
    const toPrd = auditEvents('auto-promote').filter(e => auditMeta(e).to === 'prd');
    expect(toPrd.map(auditMeta)).toEqual([expect.objectContaining({ actor: 'luban-auto-promote', why: 'release-tag', releaseTag: '1.2.3', from: 'snd', digest, by: 'pull-request' })]);
    const pulls = (await openPulls()).filter(p => p.head.ref.startsWith(`luban/promote/${DEMO.app}/prd/`));
    expect(pulls.map(p => p.head.ref)).toEqual([`luban/promote/${DEMO.app}/prd/${digest.slice(7, 19)}`]);
    await untilGit(emulator, async () => ((await overlay('qa')).includes(digest) ? true : undefined));

    // The delivery again (a replay), and the same push under a new delivery id: no second build.
    const delivery = emulator.github.api.deliveries().find(d => (d.request.payload as { ref?: string }).ref === 'refs/tags/v1.2.3')!;
    const id = randomBytes(16).toString('hex');
    expect((await post('luban-github', delivery.request.body, delivery.request.headers)).status).toBe(202);
    const again = { 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': id, 'X-Hub-Signature-256': sign(delivery.request.body) };
    expect((await post('luban-github', delivery.request.body, again)).status).toBe(202);
    await logs.waitFor(() => outcomes().some(([d]) => d === id));
    await emulator.settled();
    expect(outcomes().filter(([d]) => [id, delivery.request.headers['X-GitHub-Delivery'] ?? delivery.request.headers['x-github-delivery']].includes(String(d))).map(o => o[1]).sort()).toEqual(['push', 'push', 'replay']);
    expect(releaseBuilds('1.2.3')).toHaveLength(1);
  });

  it('proposes the rollback when prd turns Degraded soon after a promotion, once, and never merges it', async () => {
    const previous = /sha256:[0-9a-f]{64}/.exec(await overlay('prd'))![0];
    // The promotion merged into prd names an image the registry does not have: Argo CD reports ImagePullBackOff, Degraded.
    const missing = `sha256:${'d'.repeat(64)}`;
    await emulator.git.commit(GITOPS, {
      branch: 'main',
      expectedSha: await emulator.git.resolve(GITOPS, 'main'),
      message: `Promote ${DEMO.app} to prd (${missing.slice(7, 19)})`,
      changes: [{ path: overlayOf('prd'), content: (await overlay('prd')).replace(previous, missing) }],
      author: { name: 'luban', email: 'luban@luban.invalid' },
    });
    const sync = () => request(backend.server).post(`${DEMO_ENTITY_PATH}/promotion/prd/sync`).set('Authorization', backend.owner);
    expect((await sync()).status).toBeLessThan(300);
    await logs.waitFor(() => auditEvents('rollback-proposal').length >= 1);

    expect(auditEvents('rollback-proposal').map(auditMeta)).toEqual([
      expect.objectContaining({ actor: 'luban-rollback-proposal', entityRef: `component:default/${DEMO.app}`, env: 'prd', digest: missing }),
    ]);
    const rollbacks = async () => (await openPulls()).filter(p => p.head.ref.startsWith(`luban/rollback/${DEMO.app}/prd/`));
    expect((await rollbacks()).map(p => p.head.ref)).toEqual([`luban/rollback/${DEMO.app}/prd/${previous.slice(7, 19)}`]);
    expect(await overlay('prd')).toContain(missing);
    const prd = await untilServed(async () => {
      const view = (await state()).environments.find(e => e.name === 'prd');
      return view?.pullRequest?.kind === 'rollback' ? view : undefined;
    });
    expect([prd.argoCd?.healthStatus, prd.pullRequest?.url]).toEqual(['Degraded', (await rollbacks())[0].html_url]);

    // Argo CD reports prd again: luban looks, and proposes nothing more.
    const looked = logs.withMessage('Release automation looked').length;
    expect((await sync()).status).toBeLessThan(300);
    await logs.waitFor(() =>
      logs.withMessage('Release automation looked').slice(looked).some(l => (l.meta.applications as string[]).includes(`prd-${DEMO.project}-${DEMO.app}`)),
    );
    expect(auditEvents('rollback-proposal')).toHaveLength(1);
    expect(await rollbacks()).toHaveLength(1);
  });

  it('on Azure DevOps: qa follows a new digest of snd by one commit, and a Degraded prd gets its rollback pull request', async () => {
    const { organization, organizationUrl } = emulator.azure;
    // The project's GitOps repository moves to Azure DevOps, with what it holds; Argo CD reads it there from now on.
    await emulator.azure.api.createProject(organization, DEMO.project);
    const files: Record<string, string> = {};
    for (const path of await emulator.git.listFiles(GITOPS, 'main')) files[path] = (await emulator.git.readFile(GITOPS, 'main', path))!.content.toString();
    await emulator.azure.api.createRepository(organization, DEMO.project, `${DEMO.project}-gitops`, { files });
    const gitopsUrl = `${emulator.azure.url}/${organization}/${DEMO.project}/_git/${DEMO.project}-gitops`;
    const azureGitops = `azure/${organization}/${DEMO.project}/${DEMO.project}-gitops.git`;
    const gateway = LubanClusters.fromConfig(new ConfigReader(emulatorConfig(emulator))).gateway();
    const argo = (kind: string, name: string) => ({ apiVersion: 'argoproj.io/v1alpha1', kind, metadata: { namespace: 'argocd', name } });
    const project = emulator.kubernetes.list('appprojects', 'argocd').find(p => p.metadata.name === DEMO.project)!;
    await gateway.mergePatch(argo('AppProject', DEMO.project), { spec: { sourceRepos: [...project.spec.sourceRepos, gitopsUrl] } });
    for (const env of ['snd', 'prd', 'qa']) {
      await gateway.mergePatch(argo('Application', `${env}-${DEMO.project}-${DEMO.app}`), { spec: { source: { repoURL: gitopsUrl } } });
    }
    // Argo CD's repository credential for it, as luban:gitops:repo writes one (scaffolder module provisioning/gitReadSecrets.ts).
    const base64 = (value: string) => Buffer.from(value).toString('base64');
    emulator.kubernetes.create('secrets', {
      metadata: { name: `luban-repo-${DEMO.project}-gitops-azure`, namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'repository' } },
      type: 'Opaque',
      data: { type: base64('git'), url: base64(gitopsUrl), project: base64(DEMO.project), username: base64('luban'), password: base64(emulator.token) },
    });
    await recordProject(emulator, { project: DEMO.project, owner: DEMO_OWNER, gitopsRepository: gitopsUrl, harborProject: DEMO.project });
    await untilServed(async () => ((await state()).gitopsRepo === gitopsUrl ? true : undefined));
    await emulator.settled();
    const azureOverlay = async (env: string) => (await emulator.git.readFile(azureGitops, 'main', overlayOf(env)))?.content.toString() ?? '';

    // A push: kpack builds it, auto-deploy writes snd on Azure DevOps, Argo CD syncs it, and qa follows.
    const pushed = await emulator.git.commit(SOURCE, {
      branch: 'main',
      expectedSha: await emulator.git.resolve(SOURCE, 'main'),
      message: 'Answer in JSON',
      changes: [{ path: 'src/ledger_api/json.py', content: 'JSON = True\n' }],
      author: { name: 'Ada Payments', email: 'ada@payments.example' },
    });
    const builtPush = () =>
      emulator.kubernetes.list('builds', IMAGE_NAMESPACE).find(b => b.spec.source.git.revision === pushed.sha && b.status?.latestImage);
    await emulator.kubernetes.store.waitFor(() => Boolean(builtPush()));
    const digest = String(builtPush()!.status.latestImage).split('@')[1];
    await untilGit(emulator, async () => ((await azureOverlay('qa')).includes(digest) ? true : undefined));
    await logs.waitFor(() => auditEvents('auto-promote').some(e => auditMeta(e).digest === digest));
    expect(auditEvents('auto-promote').filter(e => auditMeta(e).digest === digest).map(auditMeta)).toEqual([
      expect.objectContaining({ actor: 'luban-auto-promote', entityRef: `component:default/${DEMO.app}`, from: 'snd', to: 'qa', why: 'auto-promote' }),
    ]);
    expect(await azureOverlay('prd')).not.toContain(digest);

    // prd: a promotion of an image the registry does not have, synced; Degraded, so luban proposes the rollback.
    const previous = /sha256:[0-9a-f]{64}/.exec(await azureOverlay('prd'))![0];
    const missing = `sha256:${'e'.repeat(64)}`;
    await emulator.git.commit(azureGitops, {
      branch: 'main',
      expectedSha: await emulator.git.resolve(azureGitops, 'main'),
      message: `Promote ${DEMO.app} to prd (${missing.slice(7, 19)})`,
      changes: [{ path: overlayOf('prd'), content: (await azureOverlay('prd')).replace(previous, missing) }],
      author: { name: 'luban', email: 'luban@luban.invalid' },
    });
    const proposals = auditEvents('rollback-proposal').length;
    expect((await request(backend.server).post(`${DEMO_ENTITY_PATH}/promotion/prd/sync`).set('Authorization', backend.owner)).status).toBeLessThan(300);
    await logs.waitFor(() => auditEvents('rollback-proposal').length > proposals);
    expect(auditEvents('rollback-proposal').slice(proposals).map(auditMeta)).toEqual([
      expect.objectContaining({ actor: 'luban-rollback-proposal', env: 'prd', digest: missing }),
    ]);
    const pulls = await fetch(`${organizationUrl}/${DEMO.project}/_apis/git/repositories/${DEMO.project}-gitops/pullrequests?api-version=7.1`, {
      headers: { Authorization: `Basic ${Buffer.from(`:${emulator.token}`).toString('base64')}` },
    });
    const rollbacks = ((await pulls.json()).value as Array<{ sourceRefName: string; status: string }>).filter(p =>
      p.sourceRefName.startsWith(`refs/heads/luban/rollback/${DEMO.app}/prd/`),
    );
    expect(rollbacks.map(p => [p.sourceRefName, p.status])).toEqual([[`refs/heads/luban/rollback/${DEMO.app}/prd/${previous.slice(7, 19)}`, 'active']]);
    expect(await azureOverlay('prd')).toContain(missing);
  });

  it('gives an Image back the branch a release borrowed and never gave back, at the next push to the branch', async () => {
    const gateway = LubanClusters.fromConfig(new ConfigReader(emulatorConfig(emulator))).gateway();
    const head = (await emulator.git.resolve(SOURCE, 'main'))!;
    const registry = new URL(emulator.harbor.url).host;
    const imageRef = { apiVersion: 'kpack.io/v1alpha2', kind: 'Image', metadata: { namespace: IMAGE_NAMESPACE, name: DEMO.app } };
    // What a backend that stopped halfway through a release leaves behind: the Image on the tagged commit since an hour.
    await gateway.mergePatch(imageRef, {
      metadata: {
        labels: { 'luban.dev/release-tag': '3.0.0' },
        annotations: { 'luban.dev/release-of-branch': 'main', 'luban.dev/release-since': new Date(Date.now() - 3_600_000).toISOString() },
      },
      spec: { source: { git: { revision: head } }, additionalTags: [`${registry}/${DEMO.project}/${DEMO.app}:3.0.0`] },
    });
    await emulator.settled();

    const pushed = await emulator.git.commit(SOURCE, {
      branch: 'main',
      expectedSha: head,
      message: 'Answer in YAML too',
      changes: [{ path: 'src/ledger_api/yaml.py', content: 'YAML = True\n' }],
      author: { name: 'Ada Payments', email: 'ada@payments.example' },
    });
    await emulator.github.api.deliveriesSettled();
    const buildOfPush = () => emulator.kubernetes.list('builds', IMAGE_NAMESPACE).find(b => b.spec.source.git.revision === pushed.sha);
    await emulator.kubernetes.store.waitFor(() => Boolean(buildOfPush()));

    const image = emulator.kubernetes.list('images', IMAGE_NAMESPACE).find(i => i.metadata.name === DEMO.app)!;
    expect([image.spec.source.git.revision, image.spec.additionalTags, image.metadata.labels?.['luban.dev/release-tag']]).toEqual(['main', undefined, undefined]);
    expect(image.metadata.annotations?.['luban.dev/release-of-branch']).toBeUndefined();
    expect(buildOfPush()!.metadata.labels?.['luban.dev/release-tag']).toBeUndefined();
    expect(logs.withMessage('luban gave a kpack Image back the branch a release had borrowed and not given back').map(l => l.meta.tag)).toEqual(['3.0.0']);
  });
  // Last: the app's Image then builds its repository on Azure DevOps. A tag is built only from the repository the
  // Image builds (luban wrote it at onboarding): a Component claiming another repository cannot have its tags built.
  it('builds a version tag pushed to Azure DevOps, and ignores a tag that is no version, with a log line', async () => {
    const { organization } = emulator.azure;
    const gateway = LubanClusters.fromConfig(new ConfigReader(emulatorConfig(emulator))).gateway();
    const imageRef = { apiVersion: 'kpack.io/v1alpha2', kind: 'Image', metadata: { namespace: IMAGE_NAMESPACE, name: DEMO.app } };
    const tagPush = (ref: string, commit: string) =>
      JSON.stringify({
        id: randomBytes(16).toString('hex'),
        eventType: 'git.push',
        resource: { refUpdates: [{ name: ref, oldObjectId: ZERO_SHA, newObjectId: commit }], repository: { webUrl: AZURE_SOURCE_URL(emulator) } },
      });
    const kpackWrites = () => emulator.requests.mutating('kubernetes').filter(r => /\/(images|builds|sourceresolvers)\b/.test(r.path));

    // While the Image builds the GitHub repository, an Azure DevOps tag naming the app (the -on-azure Component) is not its.
    emulator.requests.clear();
    expect((await post('luban-azure', tagPush('refs/tags/v1.9.0', 'b'.repeat(40)), { Authorization: `Bearer ${AZURE_SECRET}` })).status).toBe(202);
    await logs.waitFor(() => logs.withMessage('luban ignored pushed tags of a repository the Image does not build').length === 1);
    expect(kpackWrites()).toEqual([]);

    // The app's source moves to Azure DevOps, with kpack's read credential for it (as onboarding writes both).
    await emulator.azure.api.createRepository(organization, DEMO.project, DEMO.app, { files: { 'README.md': '# ledger-api\n' } });
    const base64 = (value: string) => Buffer.from(value).toString('base64');
    emulator.kubernetes.create('secrets', {
      metadata: { name: 'luban-git-azure', namespace: IMAGE_NAMESPACE, annotations: { 'kpack.io/git': new URL(emulator.azure.url).origin } },
      type: 'kubernetes.io/basic-auth',
      data: { username: base64('luban'), password: base64(emulator.token) },
    } as any);
    await gateway.mergePatch(
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: IMAGE_NAMESPACE, name: 'luban-builder' } },
      { secrets: [...(emulator.kubernetes.list('serviceaccounts', IMAGE_NAMESPACE).find(a => a.metadata.name === 'luban-builder') as any).secrets, { name: 'luban-git-azure' }] },
    );
    await gateway.mergePatch(imageRef, { spec: { source: { git: { url: AZURE_SOURCE_URL(emulator), revision: 'main' } } } });
    await emulator.settled();
    const head = (await emulator.git.resolve(`azure/${organization}/${DEMO.project}/${DEMO.app}.git`, 'main'))!;

    const builds = emulator.kubernetes.list('builds', IMAGE_NAMESPACE).length;
    emulator.requests.clear();
    expect((await post('luban-azure', tagPush('refs/tags/nightly', head), { Authorization: `Bearer ${AZURE_SECRET}` })).status).toBe(202);
    await logs.waitFor(() => logs.withMessage('luban ignored a pushed tag').some(l => l.meta.ref === 'refs/tags/nightly'));
    await emulator.settled();
    expect(emulator.kubernetes.list('builds', IMAGE_NAMESPACE)).toHaveLength(builds);
    // Nothing of kpack's was touched for it.
    expect(kpackWrites()).toEqual([]);

    expect((await post('luban-azure', tagPush('refs/tags/v2.0.0', head), { Authorization: `Bearer ${AZURE_SECRET}` })).status).toBe(202);
    await emulator.kubernetes.store.waitFor(() => releaseBuilds('2.0.0').length === 1);
    expect(releaseBuilds('2.0.0')[0].spec.source.git).toMatchObject({ url: AZURE_SOURCE_URL(emulator), revision: head });
  });
});
