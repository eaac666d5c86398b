import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '@backstage/config';
// The loader the backend's rootConfig service uses (through @backstage/backend-defaults).
import { ConfigSources } from '@backstage/config-loader';

/** The repository root: the image's /app holds the same files the Dockerfile copies from here. */
const ROOT = resolve(__dirname, '../../..');

/** Every environment variable the production configuration may read, set to a dummy. */
const DUMMIES: Record<string, string> = {
  APP_BASE_URL: 'https://backstage.example.com',
  POSTGRES_HOST: 'postgres.example.com',
  POSTGRES_PORT: '5432',
  POSTGRES_USER: 'backstage',
  POSTGRES_PASSWORD: 'dummy-postgres-password',
  GITHUB_HOST: 'github.example.com',
  GITHUB_API_BASE_URL: 'https://github.example.com/api/v3',
  GITHUB_TOKEN: 'dummy-github-token',
  KUBERNETES_CLUSTER_NAME: 'production',
  KUBERNETES_API_URL: 'https://kubernetes.example.com',
  KUBERNETES_READ_ONLY_TOKEN: 'dummy-read-only-token',
  KUBERNETES_CA_DATA: 'Q0E=',
  LUBAN_KUBERNETES_TOKEN: 'dummy-luban-token',
  HARBOR_BASE_URL: 'https://harbor.example.com',
  HARBOR_USERNAME: 'luban',
  LUBAN_GITHUB_WEBHOOK_SECRET: 'g'.repeat(40),
  LUBAN_AZURE_WEBHOOK_SECRET: 'a'.repeat(40),
  LUBAN_PLATFORM_ADMIN_GROUP: 'group:default/platform-team',
};

/** The backend's command line, from the Dockerfile's CMD: `node packages/backend --config …`. */
function dockerfileCommand(): string[] {
  const dockerfile = readFileSync(resolve(ROOT, 'packages/backend/Dockerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])\s*$/m.exec(dockerfile);
  if (!cmd) throw new Error('packages/backend/Dockerfile has no CMD in exec form');
  return JSON.parse(cmd[1]);
}

describe('the production configuration, loaded as the Docker image loads it', () => {
  let config: Config;
  const requested = new Set<string>();

  beforeAll(async () => {
    const argv = dockerfileCommand();
    const cwd = process.cwd();
    // Relative --config paths are read from the working directory: the image's is /app.
    process.chdir(ROOT);
    try {
      const source = ConfigSources.default({
        argv,
        rootDir: ROOT,
        // The image's environment holds only the dummies: nothing from this machine's (no APP_CONFIG_*).
        env: {},
        substitutionFunc: async name => {
          requested.add(name);
          return DUMMIES[name];
        },
      });
      config = await ConfigSources.toConfig(source);
    } finally {
      process.chdir(cwd);
    }
  });
  afterAll(() => (config as Partial<{ close(): void }>)?.close?.());

  it('loads app-config.production.yaml alone', () => {
    const files = dockerfileCommand().filter((_arg, index, argv) => argv[index - 1] === '--config');
    expect(files).toEqual(['app-config.production.yaml']);
  });

  it('reads only environment variables the deployment documents (here: dummies)', () => {
    expect([...requested].filter(name => !(name in DUMMIES))).toEqual([]);
  });

  it('has no guest or development sign-in', () => {
    expect(config.getOptionalConfig('auth.providers')?.keys() ?? []).not.toContain('guest');
    expect(config.getOptionalConfig('auth.providers')?.keys() ?? []).not.toContain('developmentUsers');
    expect(JSON.stringify(config.get())).not.toMatch(/guest/i);
  });

  it('names no emulator host, port or token', () => {
    const everything = JSON.stringify(config.get());
    for (const development of ['127.0.0.1', 'localhost', 'luban-emulator', 'LUBAN_EMULATOR', ':7011', ':7012', ':7013', ':7014', 'sqlite']) {
      expect({ development, found: everything.includes(development) }).toEqual({ development, found: false });
    }
    expect(config.getString('backend.database.client')).toBe('pg');
  });

  it('turns permissions on', () => {
    expect(config.getBoolean('permission.enabled')).toBe(true);
  });

  it('lets users register only Components, Systems, APIs and Resources; Templates only from the shipped files', () => {
    const allowed = config.getConfigArray('catalog.rules').flatMap(rule => rule.getStringArray('allow'));
    expect(allowed.sort()).toEqual(['API', 'Component', 'Resource', 'System']);

    const locations = config.getConfigArray('catalog.locations').map(location => ({
      type: location.getString('type'),
      target: location.getString('target'),
      allow: location.getOptionalConfigArray('rules')?.flatMap(rule => rule.getStringArray('allow')),
    }));
    expect(locations).toEqual([{ type: 'file', target: './templates/*/template.yaml', allow: ['Template'] }]);
  });

  it("gives luban its own cluster token, apart from the Kubernetes plugin's, and a secret per webhook provider", () => {
    const [pluginCluster] = config.getConfigArray('kubernetes.clusterLocatorMethods')[0].getConfigArray('clusters');
    const [lubanCluster] = config.getConfigArray('luban.kubernetes.clusters');
    expect(lubanCluster.getString('name')).toBe(pluginCluster.getString('name'));
    expect(lubanCluster.getString('serviceAccountToken')).not.toBe(pluginCluster.getString('serviceAccountToken'));
    expect(config.getString('luban.webhooks.github.secret')).not.toBe(config.getString('luban.webhooks.azure.secret'));
    expect(config.getOptionalString('luban.webhooks.secret')).toBeUndefined();
    expect(config.getStringArray('luban.permissions.platformAdmins')).toEqual(['group:default/platform-team']);
  });
});
