import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TestDatabases, type TestDatabaseId } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import { startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import request from 'supertest';
import { emulatorConfig, USER_AUTHORIZATION } from './__testUtils__/harness';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'yaml';
import { startTemplateBackend, templateFolders, TEMPLATES_DIR } from './__testUtils__/templateBackend';

/** The PostgreSQL that `scripts/postgres-test` started, as Backstage's TestDatabases finds it. */
function postgresUnderTest(): TestDatabaseId | undefined {
  const variable = Object.keys(process.env)
    .filter(name => /^BACKSTAGE_TEST_DATABASE_POSTGRES\d+_CONNECTION_STRING$/.test(name) && process.env[name])
    .sort()
    .pop();
  return variable?.replace(/^BACKSTAGE_TEST_DATABASE_POSTGRES(\d+)_CONNECTION_STRING$/, 'POSTGRES_$1') as TestDatabaseId | undefined;
}

// Without it a stopped backend's run is not resumed with its steps' state (plugins/scaffolder-backend StorageTaskBroker).
it('has every luban template declare that a run its backend left half-done starts over', () => {
  const strategies = templateFolders().map(folder => {
    const template = yaml.parse(readFileSync(join(TEMPLATES_DIR, folder, 'template.yaml'), 'utf8'));
    return [folder, template.spec.EXPERIMENTAL_recovery];
  });
  expect(strategies).toEqual(templateFolders().map(folder => [folder, { EXPERIMENTAL_strategy: 'startOver' }]));
});

const postgres = postgresUnderTest();
const describeOnPostgres = postgres ? describe : describe.skip;
const title = postgres
  ? `scaffolder task recovery with two replicas on PostgreSQL (${postgres})`
  : 'scaffolder task recovery with two replicas on PostgreSQL (skipped: no BACKSTAGE_TEST_DATABASE_POSTGRES<version>_CONNECTION_STRING; scripts/postgres-test starts a PostgreSQL and sets it)';

type Replica = Awaited<ReturnType<typeof startTemplateBackend>> & { link: DatabaseLink };

/**
 * A replica's own line to PostgreSQL (a TCP relay), which the suite can cut
 * as a crashed process's connections end: from then on every query of the
 * replica waits for ever and nothing it sends arrives, so it neither
 * heartbeats nor records anything of the task it was running, and, unlike
 * a closed connection, raises no error in this process. Stopping the
 * replica alone leaves its pools working: the database manager of
 * @backstage/backend-defaults 0.18.0 skips destroying PostgreSQL pools at
 * shutdown (it calls `client.config.includes(...)` on an object), so an
 * abandoned task would keep heartbeating.
 */
interface DatabaseLink {
  port: number;
  cut(): void;
  close(): Promise<void>;
}

async function databaseLink(target: { host: string; port: number }): Promise<DatabaseLink> {
  let cut = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer(client => {
    sockets.add(client);
    if (cut) return;
    const upstream = createConnection(target);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      cut = true;
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    async close() {
      for (const socket of sockets) socket.unref();
      server.unref();
    },
  };
}

/**
 * The scaffolder's task recovery as luban's templates and app-config turn it
 * on (spec.EXPERIMENTAL_recovery: startOver; scaffolder.taskRecovery), as
 * plugins/scaffolder-backend's StorageTaskBroker.recoverTasks and
 * NunjucksWorkflowRunner.execute implement it: a task whose heartbeat is
 * older than staleTimeout is opened again, a running replica claims it,
 * skips the steps that completed and runs the rest, and each luban action's
 * checkpoints skip the calls that already succeeded.
 */
describeOnPostgres(title, () => {
  const databases = TestDatabases.create({ ids: postgres ? [postgres] : [] });
  let emulator: RunningEmulator;
  let config: any;
  const running: Replica[] = [];
  /** Replicas taken away: their abandoned work waits for ever on a cut line, and must not keep the test process alive. */
  const killed: Replica[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ buildStepMs: 1 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    emulator.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
    const database = await databases.init(postgres!);
    const { connection } = database.client.config as { connection: JsonObject };
    config = emulatorConfig(emulator);
    // A held request stays held for the whole suite, as it would in a process that is gone: the stopped replica's
    // abandoned task never gets an answer that would let it go on.
    config.luban.requestTimeoutSeconds = 600;
    config.luban.webhooks = { targetBaseUrl: 'http://127.0.0.1:9/api/events/http', github: { secret: 'r'.repeat(32) } };
    config.backend = { database: { client: 'pg', connection, pluginDivisionMode: 'schema', ensureSchemaExists: true } };
    // Stale after 5 s without a heartbeat (one a second while a task runs): short for the suite, long enough that a
    // loaded machine never makes a running task look abandoned. The scaffolder looks for stale tasks every 10 s.
    config.scaffolder = { taskRecovery: { enabled: true, staleTimeout: { seconds: 5 } } };
  });
  afterAll(async () => {
    await Promise.all(running.splice(0).map(async replica => {
      await replica.stop();
      await replica.link.close();
    }));
    await emulator?.stop();
    await Promise.all(killed.map(replica => replica.link.close()));
  });

  /** A replica with its own line to PostgreSQL, so that the suite can cut it as a crash would. */
  const start = async () => {
    const { connection } = config.backend.database;
    const link = await databaseLink({ host: connection.host, port: Number(connection.port) });
    const throughLink = { ...config.backend.database, connection: { ...connection, host: '127.0.0.1', port: link.port } };
    const replica = { ...(await startTemplateBackend({ ...config, backend: { database: throughLink } })), link };
    running.push(replica);
    return replica;
  };
  /** Takes a replica away as a crash does: its line to PostgreSQL is cut, and its server stops answering. */
  const kill = async (replica: Replica) => {
    running.splice(running.indexOf(replica), 1);
    replica.link.cut();
    killed.push(replica);
    await replica.stop();
  };
  const values = () => ({
    project: 'ledgers',
    owner: 'group:default/ledgers-team',
    description: 'Ledgers, onboarded across a crash',
    gitopsRepoUrl: `${new URL(emulator.github.url).host}?owner=ledgers&repo=ledgers-gitops`,
  });
  const task = async (replica: Replica, id: string) =>
    (await request(replica.server).get(`/api/scaffolder/v2/tasks/${id}`).set('Authorization', USER_AUTHORIZATION)).body;
  const events = async (replica: Replica, id: string): Promise<Array<{ type: string; body: any }>> =>
    (await request(replica.server).get(`/api/scaffolder/v2/tasks/${id}/events`).set('Authorization', USER_AUTHORIZATION)).body;
  /** Resolves once the task has finished, read from `replica`'s task store (which tells no one when a task changes). */
  const finished = async (replica: Replica, id: string) => {
    for (;;) {
      const { status } = await task(replica, id);
      if (['completed', 'failed', 'cancelled'].includes(status)) return status as string;
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  };

  it('finishes on the other replica a template run whose backend stopped in the middle of a step, as a clean run leaves it', async () => {
    const first = await start();
    await first.waitForEntity('template', 'luban-project-onboarding');
    // Harbor never answers the creation of the project: the run is in its third step when its backend goes away.
    const held = { system: 'harbor' as const, method: 'POST', path: /^(\/api\/v2\.0)?\/projects$/ };
    emulator.faults.fail({ ...held, status: 'timeout' });
    const created = await request(first.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', USER_AUTHORIZATION)
      .send({ templateRef: 'template:default/luban-project-onboarding', values: values() });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect((await task(first, id)).spec.EXPERIMENTAL_recovery).toEqual({ EXPERIMENTAL_strategy: 'startOver' });
    await emulator.requests.waitFor(() =>
      emulator.requests.entries('harbor').some(r => r.method === 'POST' && held.path.test(r.path.split('?')[0]) && r.status === 0),
    );
    expect((await task(first, id)).status).toBe('processing');
    // Half-made: the namespaces exist, the Harbor project does not.
    expect(emulator.kubernetes.list('namespaces').map(ns => ns.metadata.name)).toContain('ci-ledgers');

    const second = await start();
    await kill(first);

    expect(await finished(second, id)).toBe('completed');
    const log = await events(second, id);
    const messages = log.filter(e => e.type === 'log').map(e => String(e.body.message));
    // Resumed where it stopped, not run again from the start.
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/^Skipping step namespaces because it was already completed/)]));
    expect(log.filter(e => e.type === 'completion')).toHaveLength(1);

    // Nothing twice: one Harbor project, one GitOps repository with one webhook, one catalog System.
    const harborProjects = emulator.requests.mutating('harbor').filter(r => r.method === 'POST' && held.path.test(r.path.split('?')[0]));
    expect(harborProjects.map(r => r.status)).toEqual([0, 201]);
    const hooks = await fetch(`${emulator.github.apiBaseUrl}/repos/ledgers/ledgers-gitops/hooks`, {
      headers: { Authorization: `token ${emulator.token}` },
    });
    expect((await hooks.json()).length).toBe(1);
    expect((await second.waitForEntity('system', 'ledgers')).spec.owner).toBe('group:default/ledgers-team');

    // And the state is a clean run's: run again, every step finds its object in place and writes nothing.
    emulator.requests.clear();
    const rerun = await second.run('luban-project-onboarding', values());
    expect({ status: rerun.status, error: rerun.error }).toEqual({ status: 'completed', error: undefined });
    expect(emulator.requests.mutating()).toEqual([]);
  }, 120_000);
});
