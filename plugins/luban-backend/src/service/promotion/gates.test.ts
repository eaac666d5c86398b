import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import type { LubanChangeResult, LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, DEMO_OWNER, recordProject, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilServed } from '../../__testUtils__/waiting';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const SND_OVERLAY = `apps/${DEMO.app}/overlays/snd/kustomization.yaml`;
const PRD_OVERLAY = `apps/${DEMO.app}/overlays/prd/kustomization.yaml`;
const SND_APP = `snd-${DEMO.project}-${DEMO.app}`;
const AZURE_ENTITY_PATH = `/api/luban/entities/component/default/${DEMO.app}-on-azure`;
let azureGitopsUrl: string;

describe('promotion gates', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  let emulator: RunningEmulator;
  let build2: string;
  let sndOverlay: string;

  beforeAll(async () => {
    // These tests commit to the GitOps repository behind luban's back and wait for Argo CD to notice by itself:
    // a short timeout.reconciliation instead of Argo CD's 120 s.
    emulator = await startEmulator({ buildStepMs: 20, rolloutMs: 20, argoReconcileMs: 1_000 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    await seedDemo(emulator);
    backend = await startLubanBackend({
      emulator,
      config: {
        luban: {
          environments: [
            { name: 'snd' },
            { name: 'prd', promotesFrom: 'snd' },
            // Like prd, but the image must have run in snd for ~70 days first.
            { name: 'soak', promotesFrom: 'snd', gates: { minSoakMinutes: 100_000 } },
          ],
        },
      },
      // The same app with its GitOps repository on Azure DevOps, holding the same overlays.
      entities: async azureEmulator => {
        await azureEmulator.azure.api.createProject(azureEmulator.azure.organization, DEMO.project);
        const files: Record<string, string> = {};
        for (const path of [SND_OVERLAY, PRD_OVERLAY]) files[path] = (await azureEmulator.git.readFile(GITOPS, 'main', path))!.content.toString();
        await azureEmulator.azure.api.createRepository(azureEmulator.azure.organization, DEMO.project, `${DEMO.project}-gitops`, { files });
        azureGitopsUrl = `${azureEmulator.azure.url}/${azureEmulator.azure.organization}/${DEMO.project}/_git/${DEMO.project}-gitops`;
        return [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: `${DEMO.app}-on-azure`,
              annotations: {
                'luban.dev/project': DEMO.project,
                'luban.dev/app': DEMO.app,
                'luban.dev/gitops-repo': azureGitopsUrl,
              },
            },
            spec: { type: 'service', lifecycle: 'production', owner: DEMO_OWNER },
          },
        ];
      },
    });
    const builds = backend.emulator.kubernetes.list('builds', `ci-${DEMO.project}`);
    build2 = String(builds.find(b => b.metadata.labels?.['image.kpack.io/buildNumber'] === '2')!.status?.latestImage).split('@')[1];
    sndOverlay = (await backend.emulator.git.readFile(GITOPS, 'main', SND_OVERLAY))!.content.toString();
  });
  afterAll(async () => {
    await backend?.stop();
    await emulator?.stop();
  });

  const promote = (to: string, dryRun = false) =>
    request(backend.server).post(`${DEMO_ENTITY_PATH}/promotion/promote`).set('Authorization', backend.owner).send({ from: 'snd', to, dryRun });

  /** Reads until the backend's caches (informers, short caches) have seen a change made in the emulator. */
  const until = <T,>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> =>
    untilServed(async () => {
      const value = await read();
      return done(value) ? value : undefined;
    });


  const sndState = async () =>
    ((await request(backend.server).get(`${DEMO_ENTITY_PATH}/promotion`).set('Authorization', backend.owner)).body as LubanPromotionState)
      .environments[0];

  /** Waits for Argo CD (the emulator) to report snd so, then for luban's informer to show it too. */
  async function sndReports(sync: string, health: string) {
    const k8s = backend.emulator.kubernetes;
    await k8s.store.waitFor(() => {
      const status = k8s.list('applications', 'argocd').find(a => a.metadata.name === SND_APP)?.status;
      return status?.sync?.status === sync && status?.health?.status === health;
    });
    return until(sndState, snd => snd.argoCd?.syncStatus === sync && snd.argoCd.healthStatus === health);
  }

  async function commitSndOverlay(content: string, message: string) {
    const head = await backend.emulator.git.resolve(GITOPS, 'main');
    await backend.emulator.git.commit(GITOPS, { branch: 'main', expectedSha: head, message, changes: [{ path: SND_OVERLAY, content }] });
    await backend.emulator.settled();
  }

  /** Promotes for real: what a refusal shows, and whether anything was written. */
  async function promoteForReal(to: string) {
    backend.emulator.requests.clear();
    const response = await promote(to);
    const result = response.body as LubanChangeResult;
    return {
      status: response.status,
      allowed: result.allowed,
      failedGates: result.gates.filter(g => !g.passed),
      pullRequest: result.pullRequest,
      writes: backend.emulator.requests.mutating(),
    };
  }

  const harborProjectId = async () => {
    const { url, username, password } = backend.emulator.harbor;
    const project = await fetch(`${url}/api/v2.0/projects/${DEMO.project}`, {
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    }).then(r => r.json());
    return project.project_id as number;
  };
  const refusedBy = (gate: string, reason: string | RegExp, url?: unknown) => ({
    status: 200,
    allowed: false,
    failedGates: [{ gate, passed: false, reason: typeof reason === 'string' ? reason : expect.stringMatching(reason), ...(url ? { url } : {}) }],
    pullRequest: undefined,
    writes: [],
  });

  it('refuses a promotion that has not soaked long enough in the source environment', async () => {
    expect(await promoteForReal('soak')).toEqual(refusedBy('soak', /^It has run in snd for \d+ minutes; 100000 are required$/));
  });

  it('refuses a digest with a CRITICAL vulnerability, read fresh from Harbor', async () => {
    await promote('prd', true).expect(200);
    backend.emulator.harbor.api.setScanResult(DEMO.project, DEMO.app, build2, { Critical: 2, High: 1 });
    try {
      // The reason links Harbor's page of the artifact, where the scan can be read.
      const harborPage = `${backend.emulator.harbor.url}/harbor/projects/${(await harborProjectId())}/repositories/${DEMO.app}/artifacts-tab/artifacts/${build2}`;
      expect(await promoteForReal('prd')).toEqual(
        refusedBy('vulnerabilities', `${build2.slice(7, 19)} has 2 CRITICAL vulnerabilities (blocked at CRITICAL and above)`, harborPage),
      );
    } finally {
      backend.emulator.harbor.api.setScanResult(DEMO.project, DEMO.app, build2, {});
    }
  });

  it('refuses a digest whose kpack Build failed', async () => {
    const k8s = backend.emulator.kubernetes;
    const original = k8s.list('builds', `ci-${DEMO.project}`).find(b => b.status?.latestImage?.endsWith(build2))!;
    const { name, namespace } = original.metadata;
    // As kpack would write it: through the status subresource of the API.
    const putStatus = async (status: Record<string, unknown>) => {
      const current = k8s.list('builds', namespace).find(b => b.metadata.name === name)!;
      const response = await fetch(`${k8s.url}/apis/kpack.io/v1alpha2/namespaces/${namespace}/builds/${name}/status`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${backend.emulator.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...current, status }),
      });
      expect(response.status).toBe(200);
    };
    await putStatus({
      ...original.status,
      conditions: [{ type: 'Succeeded', status: 'False', message: 'the export step failed', lastTransitionTime: new Date().toISOString() }],
    });
    try {
      await until(
        () => promote('prd', true),
        r => r.body.gates?.some((g: { gate: string; passed: boolean }) => g.gate === 'build-succeeded' && !g.passed),
      );
      expect(await promoteForReal('prd')).toEqual(refusedBy('build-succeeded', `Build #2 (${name}) failed: the export step failed`));
    } finally {
      await putStatus(original.status);
    }
    await until(
      () => promote('prd', true),
      r => r.body.allowed === true,
    );
  });

  it('refuses a promotion from a Degraded environment', async () => {
    // snd now deploys an image Harbor does not have: Argo CD syncs it and reports Degraded.
    await commitSndOverlay(sndOverlay.replace(`/${DEMO.app}\n`, `/${DEMO.app}-gone\n`), 'Deploy an image that is not there');
    try {
      await sndReports('Synced', 'Degraded');
      expect(await promoteForReal('prd')).toEqual(refusedBy('healthy', `snd is Degraded, not Healthy (${SND_APP})`));
    } finally {
      await commitSndOverlay(sndOverlay, 'Deploy the image again');
    }
    await sndReports('Synced', 'Healthy');
    // Each waits for Argo CD's reconciliation (1 s here) twice, on a machine busy with other suites.
  }, 90_000);

  it('refuses a promotion from an OutOfSync environment', async () => {
    // snd synced by hand from now on (no automated sync policy), and a change to its overlay waits for that sync.
    const k8s = backend.emulator.kubernetes;
    const response = await fetch(`${k8s.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${SND_APP}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${backend.emulator.token}`, 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { syncPolicy: null } }),
    });
    expect(response.status).toBe(200);
    await backend.emulator.settled();
    await commitSndOverlay(`${sndOverlay}commonAnnotations:\n  luban.dev/drift: "yes"\n`, 'Annotate everything');
    try {
      await sndReports('OutOfSync', 'Healthy');
      expect(await promoteForReal('prd')).toEqual(refusedBy('synced', `snd is OutOfSync, not Synced (${SND_APP})`));
    } finally {
      await commitSndOverlay(sndOverlay, 'Remove the annotation');
    }
    await sndReports('Synced', 'Healthy');
    // Each waits for Argo CD's reconciliation (1 s here) twice, on a machine busy with other suites.
  }, 90_000);

  it('promotes through a pull request on Azure DevOps too', async () => {
    // The project's GitOps repository moves to Azure DevOps: its record (the authority, not the annotation) says so.
    // The backend reads records through a short cache, so the move is seen within seconds.
    await recordProject(backend.emulator, { project: DEMO.project, owner: DEMO_OWNER, gitopsRepository: azureGitopsUrl });
    const promoteOnAzure = () =>
      request(backend.server).post(`${AZURE_ENTITY_PATH}/promotion/promote`).set('Authorization', backend.owner).send({ from: 'snd', to: 'prd' });
    // Until the cache has the new record, luban refuses the Azure DevOps entity (its annotation names another repository).
    const response = await untilServed(async () => {
      const answer = await promoteOnAzure();
      return answer.status === 403 ? undefined : answer;
    });

    expect(response.status).toBe(200);
    const result = response.body as LubanChangeResult;
    const branch = `luban/promote/${DEMO.app}/prd/${build2.slice(7, 19)}`;
    expect(result).toMatchObject({ allowed: true, branch, toDigest: build2, pullRequest: { reused: false, url: expect.stringContaining('/pullrequest/') } });
    const repository = await backend.emulator.azure.api.repositoryPath(backend.emulator.azure.organization, DEMO.project, `${DEMO.project}-gitops`);
    const main = await backend.emulator.git.resolve(repository, 'main');
    const head = await backend.emulator.git.resolve(repository, branch);
    expect(await backend.emulator.git.changedFiles(repository, main!, head!)).toEqual([{ status: 'M', path: PRD_OVERLAY }]);
    expect((await backend.emulator.git.readFile(repository, branch, PRD_OVERLAY))!.content.toString()).toContain(`digest: ${build2}`);

    const again = await request(backend.server)
      .post(`${AZURE_ENTITY_PATH}/promotion/promote`)
      .set('Authorization', backend.owner)
      .send({ from: 'snd', to: 'prd' });
    expect(again.body.pullRequest).toEqual({ ...result.pullRequest, reused: true });
  });
});
