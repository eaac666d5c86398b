import { TestDatabases, type TestDatabaseId } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import { startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import request from 'supertest';
import { emulatorConfig, USER_AUTHORIZATION } from './__testUtils__/harness';
import { startTemplateBackend } from './__testUtils__/templateBackend';

/** The PostgreSQL that `scripts/postgres-test` started, as Backstage's TestDatabases finds it. */
function postgresUnderTest(): TestDatabaseId | undefined {
  const variable = Object.keys(process.env)
    .filter(name => /^BACKSTAGE_TEST_DATABASE_POSTGRES\d+_CONNECTION_STRING$/.test(name) && process.env[name])
    .sort()
    .pop();
  return variable?.replace(/^BACKSTAGE_TEST_DATABASE_POSTGRES(\d+)_CONNECTION_STRING$/, 'POSTGRES_$1') as TestDatabaseId | undefined;
}

const postgres = postgresUnderTest();
const describeOnPostgres = postgres ? describe : describe.skip;
const title = postgres
  ? `the onboarding template with the scaffolder and the catalog in PostgreSQL (${postgres})`
  : 'the onboarding template with the scaffolder and the catalog in PostgreSQL (skipped: no BACKSTAGE_TEST_DATABASE_POSTGRES<version>_CONNECTION_STRING; scripts/postgres-test starts a PostgreSQL and sets it)';

describeOnPostgres(title, () => {
  const databases = TestDatabases.create({ ids: postgres ? [postgres] : [] });
  let emulator: RunningEmulator;
  let database: Awaited<ReturnType<TestDatabases['init']>>;
  let replicas: Array<Awaited<ReturnType<typeof startTemplateBackend>>>;

  beforeAll(async () => {
    emulator = await startEmulator({ buildStepMs: 1 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    emulator.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
    database = await databases.init(postgres!);
    const { connection } = database.client.config as { connection: JsonObject };
    const config = emulatorConfig(emulator) as any;
    // Onboarding registers luban's push webhook on the GitOps repository; nothing listens there in this test.
    config.luban.webhooks = { targetBaseUrl: 'http://127.0.0.1:9/api/events/http', github: { secret: 'p'.repeat(32) } };
    config.backend = { database: { client: 'pg', connection, pluginDivisionMode: 'schema', ensureSchemaExists: true } };
    // Two replicas on one database, as a scaled-out installation runs.
    replicas = [await startTemplateBackend(config), await startTemplateBackend(config)];
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  const values = () => ({
    project: 'ledgers',
    owner: 'group:default/ledgers-team',
    description: 'Ledgers, kept in PostgreSQL',
    gitopsRepoUrl: `${new URL(emulator.github.url).host}?owner=ledgers&repo=ledgers-gitops`,
  });

  it('runs as a task stored in PostgreSQL, which every replica can read, and registers the project in the catalog there', async () => {
    const result = await replicas[0].run('luban-project-onboarding', values());
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('completed');

    const tasks = await database.withSchema('scaffolder').select('id', 'status', 'spec').from('tasks');
    const task = tasks.find(row => String(row.spec).includes('luban-project-onboarding'));
    expect(task).toMatchObject({ status: 'completed' });
    // The other replica serves the task and its log from the shared task store.
    const fromOther = await request(replicas[1].server).get(`/api/scaffolder/v2/tasks/${task.id}`).set('Authorization', USER_AUTHORIZATION);
    expect(fromOther.status).toBe(200);
    expect(fromOther.body.status).toBe('completed');
    const events = await request(replicas[1].server).get(`/api/scaffolder/v2/tasks/${task.id}/events`).set('Authorization', USER_AUTHORIZATION);
    expect(events.body.filter((e: { type: string }) => e.type === 'completion')).toHaveLength(1);

    const system = await replicas[1].waitForEntity('system', 'ledgers');
    expect(system.spec.owner).toBe('group:default/ledgers-team');
    const stored = await database.withSchema('catalog').select('entity_ref').from('final_entities');
    expect(stored.map(row => row.entity_ref)).toContain('system:default/ledgers');
  }, 60_000);

  it('runs again on the other replica without writing anything to the platform', async () => {
    emulator.requests.clear();

    const rerun = await replicas[1].run('luban-project-onboarding', values());

    // Every step finds its object in place, the catalog location included.
    expect(rerun.error).toBeUndefined();
    expect(rerun.status).toBe('completed');
    expect(rerun.output.links).toEqual(
      expect.arrayContaining([expect.objectContaining({ title: 'Open the project in the catalog', entityRef: 'system:default/ledgers' })]),
    );
    expect(emulator.requests.mutating()).toEqual([]);
  }, 60_000);
});
