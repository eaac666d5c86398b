import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO, type RequestRecord } from '@luban-backstage/emulator';
import type { LubanBuild, LubanBuildList } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilServed } from '../../__testUtils__/waiting';

const CI_NAMESPACE = `ci-${DEMO.project}`;
const STEPS = ['prepare', 'analyze', 'detect', 'restore', 'build', 'export', 'completion'];

/** A plain (non-watch) read of kpack Builds: what the cache exists to avoid. */
function isBuildList(record: RequestRecord) {
  return record.system === 'kubernetes' && record.method === 'GET' && /\/builds(\?|$)/.test(record.path) && !record.path.includes('watch=true');
}

function isBuildWatch(record: RequestRecord) {
  return record.system === 'kubernetes' && /\/builds\?watch=true$/.test(record.path);
}

/**
 * Requests this suite's views could cause. Live updates follow Argo CD
 * Applications in the background once an entity is viewed; those are not
 * the builds view's cost.
 */
function buildViewRequests(records: RequestRecord[]) {
  return records.filter(r => !r.path.includes('/apis/argoproj.io/'));
}

describe('builds of an app', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  beforeAll(async () => {
    backend = await startLubanBackend();
  });
  afterAll(() => backend?.stop());

  const get = (path: string) => request(backend.server).get(`${DEMO_ENTITY_PATH}${path}`).set('Authorization', backend.owner);

  function succeededStatusOf(name: string): string | undefined {
    const build = backend.emulator.kubernetes.list('builds', CI_NAMESPACE).find(b => b.metadata.name === name);
    return build?.status?.conditions?.find((c: { type: string }) => c.type === 'Succeeded')?.status;
  }

  async function harbor<T>(path: string): Promise<T> {
    const { url, username, password } = backend.emulator.harbor;
    const response = await fetch(`${url}/api/v2.0${path}`, {
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });
    return (await response.json()) as T;
  }

  it('reads builds from the cluster cache: one list and one watch in all, no request at all when warm', async () => {
    // Not cleared: the cache may have started with the backend, which counts too.
    const cold = await get('/builds');
    expect(cold.status).toBe(200);
    const sinceStart = backend.emulator.requests.entries();
    expect(sinceStart.filter(isBuildList)).toHaveLength(1);
    expect(sinceStart.filter(isBuildWatch)).toHaveLength(1);
    // The Harbor project id for artifact links, looked up once, and the scan of each of the newest succeeded builds
    // (the demo's two, at most SCANNED_BUILDS_IN_LIST): one artifact read each.
    const harborPaths = sinceStart.filter(r => r.system === 'harbor').map(r => decodeURIComponent(r.path).replace(/\?.*$/, ''));
    expect(harborPaths.filter(path => path === `/api/v2.0/projects/${DEMO.project}`)).toHaveLength(1);
    expect(harborPaths.filter(path => path.includes('/artifacts/sha256:'))).toHaveLength(2);
    expect(harborPaths).toHaveLength(3);

    backend.emulator.requests.clear();
    const warm = await get('/builds');
    expect(warm.status).toBe(200);
    expect(warm.body).toEqual(cold.body);
    expect(buildViewRequests(backend.emulator.requests.entries())).toEqual([]);
  });

  it('lists the demo builds newest first, with commit links, digests as Harbor has them, and step durations', async () => {
    const response = await get('/builds');
    expect(response.status).toBe(200);
    const list = response.body as LubanBuildList;
    expect(list).toMatchObject({ image: `${CI_NAMESPACE}/${DEMO.app}`, cluster: 'emulator' });
    expect(list.builds.map(b => [b.name, b.number, b.reasons, b.status])).toEqual([
      [`${DEMO.app}-build-2`, 2, ['COMMIT'], 'succeeded'],
      [`${DEMO.app}-build-1`, 1, ['CONFIG'], 'succeeded'],
    ]);

    const head = await backend.emulator.git.resolve(`github/${DEMO.project}/${DEMO.app}.git`, 'main');
    const [newest, oldest] = list.builds;
    expect(newest.revision).toBe(head);
    expect(newest.commitUrl).toBe(`${backend.emulator.github.url}/${DEMO.project}/${DEMO.app}/commit/${head}`);
    expect(oldest.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(oldest.revision).not.toBe(head);

    const artifacts = await harbor<Array<{ digest: string }>>(`/projects/${DEMO.project}/repositories/${DEMO.app}/artifacts`);
    const project = await harbor<{ project_id: number }>(`/projects/${DEMO.project}`);
    const registryHost = new URL(backend.emulator.harbor.url).host;
    for (const build of list.builds) {
      expect(artifacts.map(a => a.digest)).toContain(build.digest);
      expect(build.image).toBe(`${registryHost}/${DEMO.project}/${DEMO.app}@${build.digest}`);
      expect(build.registryUrl).toBe(
        `${backend.emulator.harbor.url}/harbor/projects/${project.project_id}/repositories/${DEMO.app}/artifacts-tab/artifacts/${build.digest}`,
      );
      expect(build.builder).toBe('luban-builder');
      expect(build.message).toBeUndefined();
      expect(Date.parse(build.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(build.startedAt!));
      expect(build.durationSeconds).toBeGreaterThanOrEqual(0);
      expect(build.steps.map(s => [s.name, s.state])).toEqual(STEPS.map(step => [step, 'succeeded']));
      for (const step of build.steps) {
        expect(step).toEqual({
          name: step.name,
          state: 'succeeded',
          startedAt: expect.any(String),
          finishedAt: expect.any(String),
          durationSeconds: expect.any(Number),
        });
      }
    }
  });

  it('reads one build by name', async () => {
    const list = (await get('/builds')).body as LubanBuildList;
    const response = await get(`/builds/${DEMO.app}-build-1`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(list.builds.find(b => b.number === 1));

    const missing = await get(`/builds/${DEMO.app}-build-99`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`component:default/${DEMO.app} has no build '${DEMO.app}-build-99'`);
  });

  it("serves one step's log, or every step in order under a header", async () => {
    const build = await get(`/builds/${DEMO.app}-build-2/logs?step=build`);
    expect(build.status).toBe(200);
    expect(build.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(build.headers['content-disposition']).toBeUndefined();
    expect(build.text.split('\n')).toEqual(
      expect.arrayContaining(['Timer: Builder started', '[luban-ci/python-uv] Running: uv sync --frozen --no-dev', 'Timer: Builder ran for 6.4s and ended']),
    );
    expect(build.text).not.toContain('---');
    expect(build.text).not.toContain('Exporter');

    const all = await get(`/builds/${DEMO.app}-build-2/logs`);
    expect(all.status).toBe(200);
    const lines = all.text.split('\n');
    const headers = lines.filter(line => line.startsWith('--- '));
    expect(headers).toEqual(STEPS.map(step => `--- ${step} ---`));
    expect(lines[0]).toBe('--- prepare ---');
    expect(lines[1]).toBe('Build reason(s): COMMIT');
    const exportAt = lines.indexOf('--- export ---');
    expect(lines.indexOf('Timer: Exporter started')).toBe(exportAt + 1);
    expect(lines.indexOf('Timer: Builder started')).toBeGreaterThan(lines.indexOf('--- build ---'));
    expect(lines.indexOf('Timer: Builder started')).toBeLessThan(exportAt);
    expect(lines.slice(lines.indexOf('--- completion ---'))).toEqual([
      '--- completion ---',
      'Build successful',
      expect.stringMatching(/^Image .+@sha256:[0-9a-f]{64} pushed$/),
      '',
    ]);
  });

  it('offers a log as a download, and names the steps when asked for one that does not exist', async () => {
    const download = await get(`/builds/${DEMO.app}-build-1/logs?step=export&download=true`);
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="${DEMO.app}-build-1-export.log"`);
    expect(download.text).toContain('*** Digest: sha256:');

    const unknown = await get(`/builds/${DEMO.app}-build-1/logs?step=compile`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      name: 'InputError',
      message: "'compile' is not a build step; the steps are prepare, analyze, detect, restore, build, export, completion",
    });
  });

  it('refuses a rebuild to a stranger, before anything reaches the cluster', async () => {
    backend.emulator.requests.clear();
    const response = await request(backend.server).post(`${DEMO_ENTITY_PATH}/builds/rebuild`).set('Authorization', backend.stranger);

    expect(response.status).toBe(403);
    expect(backend.emulator.requests.mutating()).toEqual([]);
    expect(backend.emulator.kubernetes.list('builds', CI_NAMESPACE)).toHaveLength(2);
  });

  it('rebuilds; the new build reaches the list through the watch, and its log can be followed until it ends', async () => {
    const newBuild = `${DEMO.app}-build-3`;
    // Another app's build in the same namespace: never shown, never served.
    backend.emulator.kubernetes.create('builds', {
      apiVersion: 'kpack.io/v1alpha2',
      kind: 'Build',
      metadata: {
        name: 'other-app-build-1',
        namespace: CI_NAMESPACE,
        labels: { 'image.kpack.io/image': 'other-app', 'image.kpack.io/buildNumber': '1' },
      },
      spec: {},
    });
    // Slow steps, so that the log is followed while the build runs.
    backend.emulator.setBuildStepMs(150);
    try {
      const rebuild = await request(backend.server).post(`${DEMO_ENTITY_PATH}/builds/rebuild`).set('Authorization', backend.owner);
      expect(rebuild.status).toBe(202);
      expect(rebuild.body).toEqual({ triggeredFrom: `${DEMO.app}-build-2` });

      // kpack creates the build after the trigger, asynchronously: the list shows it once the watch brings it.
      backend.emulator.requests.clear();
      // luban serves the list from its watch cache, which says nothing when it changes: asked again until it shows the build.
      const builds = await untilServed(async () => {
        const list = ((await get('/builds')).body as LubanBuildList).builds;
        return list[0]?.name === newBuild ? list : undefined;
      });
      expect(backend.emulator.requests.entries().filter(isBuildList)).toEqual([]);
      expect(builds.map(b => b.name)).toEqual([newBuild, `${DEMO.app}-build-2`, `${DEMO.app}-build-1`]);
      expect(builds[0]).toMatchObject({ number: 3, reasons: ['TRIGGER'], status: 'running' });
      expect(builds[0].digest).toBeUndefined();
      const inCluster = backend.emulator.kubernetes.list('builds', CI_NAMESPACE).find(b => b.metadata.name === newBuild);
      expect(inCluster?.metadata.annotations?.['image.kpack.io/reason']).toBe('TRIGGER');
      // The other app's build is in the cache by now (the watch delivers in order).
      expect((await get('/builds/other-app-build-1')).status).toBe(404);
      expect((await get('/builds/other-app-build-1/logs')).status).toBe(404);

      let statusAtFirstLine: string | undefined;
      const followed = await get(`/builds/${newBuild}/logs?follow=true`)
        .set('Accept-Encoding', 'gzip')
        .buffer(true)
        .parse((res, callback) => {
          const stream = res as unknown as IncomingMessage;
          let text = '';
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => {
            if (!text) statusAtFirstLine = succeededStatusOf(newBuild);
            text += chunk;
          });
          stream.on('end', () => callback(null, text));
        });

      expect(followed.status).toBe(200);
      // Compressing would hold the lines back until the end, and browsers ask for gzip: Backstage's
      // compression middleware leaves responses marked no-transform alone.
      expect(followed.headers['content-encoding']).toBeUndefined();
      expect(followed.headers['cache-control']).toBe('no-store, no-transform');
      expect(statusAtFirstLine).toBe('Unknown');
      expect(succeededStatusOf(newBuild)).toBe('True');
      const lines = (followed.body as string).split('\n');
      expect(lines.filter(line => line.startsWith('--- '))).toEqual(STEPS.map(step => `--- ${step} ---`));
      expect(lines).toEqual(expect.arrayContaining(['Build reason(s): TRIGGER', 'Timer: Builder ran for 6.4s and ended', 'Build successful']));
    } finally {
      backend.emulator.setBuildStepMs(20);
    }
  });

  it('lets a follower leave in the middle of a running build', async () => {
    backend.emulator.setBuildStepMs(150);
    try {
      const rebuild = await request(backend.server).post(`${DEMO_ENTITY_PATH}/builds/rebuild`).set('Authorization', backend.owner);
      expect(rebuild.status).toBe(202);
      const newBuild = `${DEMO.app}-build-${Number(rebuild.body.triggeredFrom.split('-').pop()) + 1}`;
      // Served from luban's watch cache, which says nothing when it changes: asked again until it has the build.
      await untilServed(async () => ((await get(`/builds/${newBuild}`)).status === 200 ? true : undefined));

      backend.emulator.requests.clear();
      const { port } = backend.server.address() as AddressInfo;
      const leaving = new AbortController();
      const response = await fetch(`http://127.0.0.1:${port}${DEMO_ENTITY_PATH}/builds/${newBuild}/logs?follow=true`, {
        headers: { Authorization: backend.owner },
        signal: leaving.signal,
      });
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toContain('--- prepare ---');
      expect(succeededStatusOf(newBuild)).toBe('Unknown');
      leaving.abort();

      // The build runs on without the follower: luban read no step after the one it was following.
      await backend.emulator.settled();
      expect(succeededStatusOf(newBuild)).toBe('True');
      const logReads = backend.emulator.requests.entries('kubernetes').filter(r => r.path.includes('/log?'));
      expect(logReads.map(r => new URLSearchParams(r.path.split('?')[1]).get('container'))).toEqual(['prepare']);
      const log = await get(`/builds/${newBuild}/logs?step=completion`);
      expect(log.text).toContain('Build successful');
    } finally {
      backend.emulator.setBuildStepMs(20);
    }
  });
  /** Publishes a new run image of the demo's builder, as `POST /_emulator/kpack/stack` does; the name of the STACK build it causes. */
  async function publishRunImage(): Promise<string> {
    const before = backend.emulator.kubernetes.list('builds', CI_NAMESPACE).length;
    const response = await fetch(`${backend.emulator.harbor.url}/_emulator/kpack/stack`, { method: 'POST' });
    expect(response.status).toBe(200);
    await backend.emulator.kubernetes.store.waitFor(() => backend.emulator.kubernetes.list('builds', CI_NAMESPACE).length > before);
    const newest = backend.emulator.kubernetes
      .list('builds', CI_NAMESPACE)
      .filter(b => b.metadata.labels?.['image.kpack.io/image'] === DEMO.app)
      .sort((a, b) => Number(b.metadata.labels?.['image.kpack.io/buildNumber']) - Number(a.metadata.labels?.['image.kpack.io/buildNumber']))[0];
    expect(newest.metadata.annotations?.['image.kpack.io/reason']).toBe('STACK');
    return newest.metadata.name;
  }

  /** The build as luban serves it, once its cache has it and `ready` holds. */
  async function servedBuild(name: string, ready: (build: LubanBuild) => boolean): Promise<LubanBuild> {
    return untilServed(async () => {
      const response = await get(`/builds/${name}`);
      return response.status === 200 && ready(response.body) ? (response.body as LubanBuild) : undefined;
    });
  }

  // kpack pkg/apis/build/v1alpha2/build_pod.go rebasePod: a STACK build runs rebase, then completion.
  it('shows a rebase (STACK) build with its own steps, rebase and completion, and serves their logs', async () => {
    const rebase = await publishRunImage();
    await backend.emulator.settled();
    const build = await servedBuild(rebase, b => b.status === 'succeeded');
    expect(build.reasons).toEqual(['STACK']);
    expect(build.steps.map(s => [s.name, s.state])).toEqual([
      ['rebase', 'succeeded'],
      ['completion', 'succeeded'],
    ]);
    const listed = ((await get('/builds')).body as LubanBuildList).builds;
    expect(listed.find(b => b.name === rebase)?.steps.map(s => s.name)).toEqual(['rebase', 'completion']);
    // The full builds before it still list the seven steps of a build pod.
    expect(listed.find(b => b.number === 1)?.steps.map(s => s.name)).toEqual(STEPS);

    const rebaseLog = await get(`/builds/${rebase}/logs?step=rebase`);
    expect(rebaseLog.status).toBe(200);
    expect(rebaseLog.text).toContain('Build reason(s): STACK');
    expect(rebaseLog.text).toContain(`*** Digest: ${build.digest}`);
    const all = await get(`/builds/${rebase}/logs`);
    expect(all.status).toBe(200);
    expect(all.text.split('\n').filter(line => line.startsWith('--- '))).toEqual(['--- rebase ---', '--- completion ---']);

    const prepare = await get(`/builds/${rebase}/logs?step=prepare`);
    expect(prepare.status).toBe(400);
    expect(prepare.body.error).toMatchObject({
      name: 'InputError',
      message: "'prepare' is not a build step; the steps are rebase, completion",
    });
  });

  it('names the steps of a running rebase build from its pod, and follows its log to the end', async () => {
    // Slow steps, so that the build is seen while it runs.
    backend.emulator.setBuildStepMs(1500);
    try {
      const rebase = await publishRunImage();
      const running = await servedBuild(rebase, b => b.status === 'running' && b.steps.length > 0);
      expect(running.steps.map(s => s.name)).toEqual(['rebase', 'completion']);
      expect(running.steps[1].state).not.toBe('succeeded');

      const followed = await get(`/builds/${rebase}/logs?follow=true`);
      expect(followed.status).toBe(200);
      const lines = followed.text.split('\n');
      expect(lines.filter(line => line.startsWith('--- '))).toEqual(['--- rebase ---', '--- completion ---']);
      expect(lines).toEqual(expect.arrayContaining(['Build reason(s): STACK', 'Build successful']));
    } finally {
      backend.emulator.setBuildStepMs(20);
    }
  });
});
