import { TestDatabases, type TestDatabaseId } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import type { LubanBuildList, LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, startLubanBackend } from './__testUtils__/lubanBackend';

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
  ? `luban with the catalog in PostgreSQL (${postgres})`
  : 'luban with the catalog in PostgreSQL (skipped: no BACKSTAGE_TEST_DATABASE_POSTGRES<version>_CONNECTION_STRING; scripts/postgres-test starts a PostgreSQL and sets it)';

describeOnPostgres(title, () => {
  const databases = TestDatabases.create({ ids: postgres ? [postgres] : [] });
  let emulator: RunningEmulator;
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  let database: Awaited<ReturnType<TestDatabases['init']>>;

  beforeAll(async () => {
    emulator = await startEmulator({ buildStepMs: 20, rolloutMs: 20 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    await seedDemo(emulator);
    // A fresh database; each plugin gets its own schema in it, as `pluginDivisionMode: schema` installations do.
    database = await databases.init(postgres!);
    const { connection } = database.client.config as { connection: JsonObject };
    backend = await startLubanBackend({
      emulator,
      config: { backend: { database: { client: 'pg', connection, pluginDivisionMode: 'schema', ensureSchemaExists: true } } },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await emulator?.stop();
  });

  const get = (path: string, authorization = backend.owner) =>
    request(backend.server).get(`/api/luban/entities/component/default/${path}`).set('Authorization', authorization);

  it('keeps the catalog in PostgreSQL, and serves builds and promotion for the entity it reads from there', async () => {
    const stored = await database.withSchema('catalog').select('entity_ref').from('final_entities');
    expect(stored.map(row => row.entity_ref)).toEqual(
      expect.arrayContaining([`component:default/${DEMO.app}`, `component:default/${DEMO.app}-elsewhere`]),
    );

    const builds = await get(`${DEMO.app}/builds`);
    expect(builds.status).toBe(200);
    expect((builds.body as LubanBuildList).builds.map(b => [b.number, b.status])).toEqual([
      [2, 'succeeded'],
      [1, 'succeeded'],
    ]);

    const promotion = await get(`${DEMO.app}/promotion`);
    expect(promotion.status).toBe(200);
    const state = promotion.body as LubanPromotionState;
    expect(state.environments.map(env => [env.name, env.build?.number, env.problems])).toEqual([
      ['snd', 2, undefined],
      ['prd', 1, undefined],
    ]);
  });

  it('decides with the owner the catalog stored, and answers 404 for an entity it does not hold', async () => {
    const asStranger = await request(backend.server)
      .post(`${DEMO_ENTITY_PATH}/builds/rebuild`)
      .set('Authorization', backend.stranger);
    expect(asStranger.status).toBe(403);
    const elsewhere = await request(backend.server)
      .post(`/api/luban/entities/component/default/${DEMO.app}-elsewhere/builds/rebuild`)
      .set('Authorization', backend.owner);
    expect(elsewhere.status).toBe(403);

    const missing = await get('not-in-the-catalog/promotion');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('No catalog entity component:default/not-in-the-catalog');
  });
});
