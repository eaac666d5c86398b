import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  type BackendFeature,
  type BackstageCredentials,
  type BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import type { PermissionPolicy } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import type { JsonObject } from '@backstage/types';
import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import { ciNamespaceName } from '@luban-backstage/plugin-luban-common';
import {
  LubanClusters,
  projectRecordAnnotations,
  readProjectRecord,
  type LubanProjectRecord,
} from '@luban-backstage/plugin-luban-node';
import request from 'supertest';
import yaml from 'yaml';
import { lubanPlugin } from '../plugin';
import { lubanPermissionPolicyModule } from '../permissions/policy';
import { linesOfRootLogger, watchedRootLogger } from './waiting';

const MOCK_SERVICE_TOKEN_PREFIX = 'mock-service-token:';

/**
 * Backstage's mock auth turns a plugin's token on behalf of a user into that
 * user without an actor, so the permission backend takes a plugin's
 * conditional query for a direct user request and refuses it. Real tokens
 * carry the actor; so do the mocks here (both the auth and httpAuth mocks
 * share this class).
 */
function keepActorsOfOnBehalfOfTokens() {
  const prototype = Object.getPrototypeOf(mockServices.auth());
  if (prototype.keepsActors) return;
  const authenticate = prototype.authenticate;
  prototype.keepsActors = true;
  prototype.authenticate = async function authenticateWithActor(this: { pluginId: string }, token: string, options?: object) {
    if (token.startsWith(MOCK_SERVICE_TOKEN_PREFIX)) {
      const { obo, sub, target } = JSON.parse(token.slice(MOCK_SERVICE_TOKEN_PREFIX.length));
      if (obo && (!target || target === this.pluginId)) {
        return mockCredentials.user(obo, { actor: { subject: sub ?? 'plugin' } });
      }
    }
    return authenticate.call(this, token, options);
  };
}

/** Installs a test's own permission policy. */
function permissionPolicyModule(policy: PermissionPolicy) {
  return createBackendModule({
    pluginId: 'permission',
    moduleId: 'test-policy',
    register(reg) {
      reg.registerInit({ deps: { policies: policyExtensionPoint }, init: async ({ policies }) => policies.setPolicy(policy) });
    },
  });
}

/** The group that owns the demo project, as its record names it. */
export const DEMO_OWNER = `group:default/${DEMO.owner}`;

/**
 * The groups of each test user, as a sign-in resolver would put them in the
 * token: the default mock user (`user:default/mock`) is in the demo project's
 * owner group, `user:default/bob` in another team, anyone else in none.
 */
export const MEMBERSHIPS: Record<string, string[]> = {
  'user:default/mock': [DEMO_OWNER],
  'user:default/bob': ['group:default/team-b'],
};

/** Backstage's user info, with {@link MEMBERSHIPS} as the groups. */
const userInfoWithGroups = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: BackstageCredentials) {
      const { userEntityRef } = credentials.principal as BackstageUserPrincipal;
      return { userEntityRef, ownershipEntityRefs: [userEntityRef, ...(MEMBERSHIPS[userEntityRef] ?? [])] };
    },
  }),
});

/**
 * Writes a project record the way onboarding does (the annotations of the
 * `ci-<project>` Namespace, through the cluster's API), creating the
 * Namespace when there is none.
 */
export async function recordProject(emulator: RunningEmulator, record: LubanProjectRecord) {
  const gateway = LubanClusters.fromConfig(new ConfigReader(emulatorConfig(emulator))).gateway();
  const { project, ...fields } = record;
  const annotations = projectRecordAnnotations(fields);
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ciNamespaceName(project) } };
  if ((await readProjectRecord(gateway, project)).state === 'absent') {
    await gateway.apply({ ...namespace, metadata: { ...namespace.metadata, annotations } });
  } else {
    await gateway.mergePatch(namespace, { metadata: { annotations } });
  }
}

/** The demo project's record (owner group, GitOps repository), unless the seed wrote one already. */
export async function recordDemoProject(emulator: RunningEmulator) {
  // Looked up in the emulator's store, not through its API: a test's faults must not break the setup.
  const ci = emulator.kubernetes.list('namespaces').find(ns => ns.metadata.name === ciNamespaceName(DEMO.project));
  if (ci?.metadata.annotations?.['luban.dev/owner']) return;
  await recordProject(emulator, {
    project: DEMO.project,
    owner: DEMO_OWNER,
    gitopsRepository: `${emulator.github.url}/${DEMO.project}/${DEMO.project}-gitops`,
    harborProject: DEMO.project,
  });
}

/** The demo Component, owned by the demo project's owner group (of which the default mock user is a member). */
export const DEMO_ENTITY = { kind: 'component', namespace: 'default', name: DEMO.app };
/** `/api/luban/entities/component/default/ledger-api`. */
export const DEMO_ENTITY_PATH = `/api/luban/entities/${DEMO_ENTITY.kind}/${DEMO_ENTITY.namespace}/${DEMO_ENTITY.name}`;

/** The configuration that points luban at a running emulator. */
export function emulatorConfig(emulator: RunningEmulator, extra: JsonObject = {}): JsonObject {
  return {
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'emulator',
              url: emulator.kubernetes.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: emulator.token,
              caData: Buffer.from(emulator.kubernetes.caCert).toString('base64'),
            },
          ],
        },
      ],
    },
    integrations: {
      github: [{ host: new URL(emulator.github.url).host, apiBaseUrl: emulator.github.apiBaseUrl, token: emulator.token }],
      azure: [{ host: new URL(emulator.azure.url).host, credentials: [{ personalAccessToken: emulator.token }] }],
    },
    luban: {
      // luban's default (30 s): no suite here injects a timeout, so a shorter one would only fail a slow request on a loaded machine.
      harbor: { baseUrl: emulator.harbor.url, username: emulator.harbor.username, password: emulator.harbor.password },
      ...((extra.luban as JsonObject) ?? {}),
    },
    ...Object.fromEntries(Object.entries(extra).filter(([key]) => key !== 'luban')),
  };
}

/** Catalog entities: the demo Component of the project's owner group, and one of another team naming the same app. */
export function demoEntities(emulator: RunningEmulator) {
  const source = `${emulator.github.url}/${DEMO.project}/${DEMO.app}`;
  const component = (name: string, owner: string) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: {
        'luban.dev/project': DEMO.project,
        'luban.dev/app': DEMO.app,
        'backstage.io/source-location': `url:${source}/tree/main/`,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner },
  });
  return [
    component(DEMO.app, DEMO_OWNER),
    // The same app, claimed by another team: the project's record refuses it.
    component(`${DEMO.app}-elsewhere`, 'group:default/other-team'),
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'not-on-luban' },
      spec: { type: 'service', lifecycle: 'production', owner: 'user:default/mock' },
    },
  ];
}

/**
 * An emulator seeded with the demo (2 builds, snd on build 2, prd on
 * build 1), and a backend with the real catalog, the real permission
 * backend with luban's owner policy, and the luban plugin.
 */
export async function startLubanBackend(
  options: {
    emulator?: RunningEmulator;
    config?: JsonObject;
    features?: BackendFeature[];
    /** The permission policy; luban's owner policy unless given. */
    policy?: PermissionPolicy;
    /** More catalog entities, made once the emulator is seeded (e.g. one whose GitOps repository is on Azure DevOps). */
    entities?: (emulator: RunningEmulator) => Promise<JsonObject[]>;
  } = {},
) {
  const emulator = options.emulator ?? (await startEmulator({ buildStepMs: 20, rolloutMs: 20 }));
  if (!options.emulator) {
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    await seedDemo(emulator);
  }
  await recordDemoProject(emulator);
  keepActorsOfOnBehalfOfTokens();
  const dir = mkdtempSync(join(tmpdir(), 'luban-catalog-'));
  const entitiesFile = join(dir, 'entities.yaml');
  const entities = [...demoEntities(emulator), ...((await options.entities?.(emulator)) ?? [])];
  writeFileSync(entitiesFile, entities.map(e => yaml.stringify(e)).join('---\n'));

  // The auto-deployer's first catch-up pass that saw the catalog's apps reads git and the cluster: waited for here,
  // so that it does not land in a test that counts requests. Read from whichever root logger the suite installed.
  const isRootLogger = (f: BackendFeature) => (f as { service?: { id?: string } }).service?.id === coreServices.rootLogger.id;
  const suiteLogger = (options.features ?? []).find(isRootLogger);
  const ownLogger = suiteLogger ? undefined : watchedRootLogger();
  const logs = suiteLogger ? linesOfRootLogger.get(suiteLogger) : ownLogger;
  const backend = await startTestBackend({
    features: [
      lubanPlugin,
      catalogPlugin,
      userInfoWithGroups,
      permissionPlugin,
      options.policy ? permissionPolicyModule(options.policy) : lubanPermissionPolicyModule,
      mockServices.rootConfig.factory({
        data: emulatorConfig(emulator, {
          ...options.config,
          permission: { enabled: true },
          catalog: {
            // The location is read at once; what it holds waits for the next pass.
            processingInterval: { milliseconds: 300 },
            rules: [{ allow: ['Component', 'Group', 'User', 'System'] }],
            locations: [{ type: 'file', target: entitiesFile }],
          },
        }),
      }),
      ...(options.features ?? []),
      ...(ownLogger ? [ownLogger.factory] : []),
    ],
  });
  const server = backend.server;

  // The catalog ingests the file location in the background, one entity at a time.
  const entityRefs = entities.map(e => `${String(e.kind).toLowerCase()}:default/${(e.metadata as { name: string }).name}`);
  // The catalog tells no one when it has ingested an entity: ask again after a short pause; jest's timeout bounds the wait.
  for (;;) {
    const found = await request(server)
      .post('/api/catalog/entities/by-refs')
      .set('Authorization', `Bearer ${mockCredentials.service.token()}`)
      .send({ entityRefs, fields: ['metadata.name'] });
    const missing = found.status === 200 ? entityRefs.filter((_ref, index) => !found.body.items[index]) : entityRefs;
    if (missing.length === 0) break;
    await new Promise(resolve => setTimeout(resolve, 50));
  }

  const autoDeploy = ((options.config?.luban as JsonObject | undefined)?.gitops as JsonObject | undefined)?.autoDeploy;
  if (autoDeploy !== 'off') {
    // Or it said it cannot read the cluster's Builds yet (a suite that starts with Kubernetes down): no pass runs then.
    await logs?.waitFor(lines =>
      lines.some(
        l => (l.message === 'Auto-deploy caught up' && Number(l.meta.apps) > 0) || l.message === 'Auto-deploy cannot read the builds of a cluster yet',
      ),
    );
  }

  return {
    emulator,
    server,
    /** A member of the demo project's owner group. */
    owner: `Bearer ${mockCredentials.user.token()}`,
    /** A member of another team (`group:default/team-b`). */
    otherTeam: `Bearer ${mockCredentials.user.token('user:default/bob')}`,
    /** Someone who owns nothing. */
    stranger: `Bearer ${mockCredentials.user.token('user:default/mallory')}`,
    async stop() {
      await backend.stop();
      if (!options.emulator) await emulator.stop();
    },
  };
}
