import { ConfigReader } from '@backstage/config';
import { DEMO } from '@luban-backstage/emulator';
import type { LubanChangeResult, LubanEnvironmentState, LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import { GitProviders } from '@luban-backstage/plugin-luban-node';
import request from 'supertest';
import { DEMO_ENTITY_PATH, DEMO_OWNER, emulatorConfig, recordProject, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilServed } from '../../__testUtils__/waiting';

const SND_OVERLAY = `apps/${DEMO.app}/overlays/snd/kustomization.yaml`;
const PRD_OVERLAY = `apps/${DEMO.app}/overlays/prd/kustomization.yaml`;
const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const AZURE_ENTITY_PATH = `/api/luban/entities/component/default/${DEMO.app}-on-azure`;

/**
 * Required reviews on the GitOps branch, as the hosts enforce them:
 * GitHub's branch protection (docs.github.com rest/branches/branch-protection,
 * "About protected branches": a merge without the approvals is refused with
 * 405 "At least 1 approving review is required by reviewers with write
 * access.", the latest review of each reviewer counting) and Azure DevOps'
 * "Minimum number of reviewers" policy (learn.microsoft.com azure/devops/repos/git/branch-policies:
 * a pull request completes only once the policy is met; the service answers
 * the completion with the pull request, still active). The promotion to prd
 * is "deployed" only once Argo CD reports Synced at the merged overlay
 * (status.sync, Argo CD pkg/apis/application/v1alpha1/types.go).
 */
describe('approvals of promotions', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  let providers: GitProviders;
  let azureGitopsUrl: string;

  beforeAll(async () => {
    backend = await startLubanBackend({
      // The same app with its GitOps repository on Azure DevOps, holding the same overlays.
      entities: async emulator => {
        const { organization } = emulator.azure;
        await emulator.azure.api.createProject(organization, DEMO.project);
        const files: Record<string, string> = {};
        for (const path of [SND_OVERLAY, PRD_OVERLAY]) files[path] = (await emulator.git.readFile(GITOPS, 'main', path))!.content.toString();
        await emulator.azure.api.createRepository(organization, DEMO.project, `${DEMO.project}-gitops`, { files });
        azureGitopsUrl = `${emulator.azure.url}/${organization}/${DEMO.project}/_git/${DEMO.project}-gitops`;
        const annotations = { 'luban.dev/project': DEMO.project, 'luban.dev/app': DEMO.app, 'luban.dev/gitops-repo': azureGitopsUrl };
        return [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: `${DEMO.app}-on-azure`, annotations },
            spec: { type: 'service', lifecycle: 'production', owner: DEMO_OWNER },
          },
        ];
      },
    });
    providers = GitProviders.fromConfig(new ConfigReader(emulatorConfig(backend.emulator)));
  });
  afterAll(() => backend?.stop());

  /** Protects a GitOps branch as luban:gitops:repo does at onboarding (its own test: projectDagster.test.ts). */
  const protect = async (url: string) => {
    const repo = providers.parse(url);
    return providers.forRepository(repo).protectBranch(repo, 'main', { requiredApprovals: 1 });
  };
  const promote = (path: string) =>
    request(backend.server).post(`${path}/promotion/promote`).set('Authorization', backend.owner).send({ from: 'snd', to: 'prd' });
  /** prd as the Delivery answer says it, once `done` holds (the backend's caches see the emulator's changes in time). */
  const prdOnceItSays = (path: string, done: (prd: LubanEnvironmentState) => boolean) =>
    untilServed(async () => {
      const state = (await request(backend.server).get(`${path}/promotion`).set('Authorization', backend.owner)).body as LubanPromotionState;
      const prd = state.environments?.find(e => e.name === 'prd');
      return prd && done(prd) ? prd : undefined;
    });

  it('on GitHub: waits for a review, refuses the merge without it, shows who approved, and says deployed only once Argo CD synced the merge', async () => {
    const { emulator } = backend;
    const github = emulator.github.apiBaseUrl;
    expect(await protect(`${emulator.github.url}/${DEMO.project}/${DEMO.project}-gitops`)).toBe('created');

    const promoted = await promote(DEMO_ENTITY_PATH);
    expect(promoted.status).toBe(200);
    const { pullRequest } = promoted.body as LubanChangeResult;
    const waiting = await prdOnceItSays(DEMO_ENTITY_PATH, prd => prd.pullRequest?.number === pullRequest!.number);
    expect(waiting.pullRequest?.review).toEqual({ state: 'waiting', approvedBy: [], changesRequestedBy: [], requiredApprovals: 1 });

    // A teammate with write access (not luban, which may bypass) merges through GitHub's API.
    const pulls = `${github}/repos/${DEMO.project}/${DEMO.project}-gitops/pulls/${pullRequest!.number}`;
    const as = (token: string) => ({ authorization: `token ${token}`, 'content-type': 'application/json' });
    const alice = emulator.github.api.userToken('alice');
    const merge = () => fetch(`${pulls}/merge`, { method: 'PUT', headers: as(alice), body: '{}' });
    const refused = await merge();
    expect(refused.status).toBe(405);
    expect((await refused.json()).message).toBe('At least 1 approving review is required by reviewers with write access.');

    const bob = emulator.github.api.userToken('bob');
    const review = (event: string) => fetch(`${pulls}/reviews`, { method: 'POST', headers: as(bob), body: JSON.stringify({ event, body: 'ok' }) });
    expect((await review('REQUEST_CHANGES')).status).toBe(200);
    const changes = await prdOnceItSays(DEMO_ENTITY_PATH, prd => prd.pullRequest?.review?.state === 'changes-requested');
    expect(changes.pullRequest?.review).toMatchObject({ changesRequestedBy: ['bob'], approvedBy: [] });
    expect((await review('APPROVE')).status).toBe(200);
    const approved = await prdOnceItSays(DEMO_ENTITY_PATH, prd => prd.pullRequest?.review?.state === 'approved');
    expect(approved.pullRequest?.review).toEqual({ state: 'approved', approvedBy: ['bob'], changesRequestedBy: [], requiredApprovals: 1 });

    expect((await merge()).status).toBe(200);
    // prd is synced by hand: merged, its overlay is not what Argo CD runs until someone syncs.
    const merged = await prdOnceItSays(DEMO_ENTITY_PATH, prd => !prd.pullRequest && prd.digest === (promoted.body as LubanChangeResult).toDigest);
    expect(merged.rollout).toBe('waiting-for-sync');
    const sync = await request(backend.server).post(`${DEMO_ENTITY_PATH}/promotion/prd/sync`).set('Authorization', backend.owner);
    expect(sync.status).toBe(202);
    const deployed = await prdOnceItSays(DEMO_ENTITY_PATH, prd => prd.rollout === 'deployed');
    expect(deployed.argoCd).toMatchObject({ syncStatus: 'Synced', revision: sync.body.revision });
  });

  it('on Azure DevOps: waits for a vote, keeps the completion pending without it, and shows who approved', async () => {
    const { emulator } = backend;
    const { organization } = emulator.azure;
    expect(await protect(azureGitopsUrl)).toBe('created');
    // The project's GitOps repository moves to Azure DevOps: its record says so (read through a short cache).
    await recordProject(emulator, { project: DEMO.project, owner: DEMO_OWNER, gitopsRepository: azureGitopsUrl });
    const promoted = await untilServed(async () => {
      const answer = await promote(AZURE_ENTITY_PATH);
      return answer.status === 403 ? undefined : answer;
    });
    expect(promoted.status).toBe(200);
    const { pullRequest } = promoted.body as LubanChangeResult;
    const waiting = await prdOnceItSays(AZURE_ENTITY_PATH, prd => prd.pullRequest?.number === pullRequest!.number);
    expect(waiting.pullRequest?.review).toEqual({ state: 'waiting', approvedBy: [], changesRequestedBy: [], requiredApprovals: 1 });

    const url = `${emulator.azure.organizationUrl}/${DEMO.project}/_apis/git/repositories/${DEMO.project}-gitops/pullRequests/${pullRequest!.number}?api-version=7.1`;
    const headers = { authorization: `Basic ${Buffer.from(`:${emulator.token}`).toString('base64')}`, 'content-type': 'application/json' };
    const complete = async () => {
      const pull = await (await fetch(url, { headers })).json();
      const body = JSON.stringify({ status: 'completed', lastMergeSourceCommit: pull.lastMergeSourceCommit });
      return (await fetch(url, { method: 'PATCH', headers, body })).json();
    };
    expect(await complete()).toMatchObject({ status: 'active', completionQueueTime: expect.any(String) });

    await emulator.azure.api.votePullRequest(organization, DEMO.project, `${DEMO.project}-gitops`, pullRequest!.number, 'Alice Reviewer', 10);
    const approved = await prdOnceItSays(AZURE_ENTITY_PATH, prd => prd.pullRequest?.review?.state === 'approved');
    expect(approved.pullRequest?.review).toEqual({ state: 'approved', approvedBy: ['Alice Reviewer'], changesRequestedBy: [], requiredApprovals: 1 });
    expect(await complete()).toMatchObject({ status: 'completed' });
  });
});
