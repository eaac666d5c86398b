import { ConfigReader } from '@backstage/config';
import { readLubanConfig, webhookSecretOf } from './readLubanConfig';

describe('readLubanConfig', () => {
  it('fills in every default when luban is not configured', () => {
    const config = readLubanConfig(new ConfigReader({ backend: { baseUrl: 'https://backstage.example.com' } }));

    expect(config).toMatchObject({
      environments: [expect.objectContaining({ name: 'snd' }), expect.objectContaining({ name: 'prd' })],
      requestTimeoutMs: 30_000,
      gitops: { branch: 'main', autoDeploy: 'commit' },
      argocd: { namespace: 'argocd', destinationServer: 'https://kubernetes.default.svc' },
      kpack: { builder: { kind: 'ClusterBuilder', name: 'luban-builder' }, cache: { size: undefined, storageClassName: undefined } },
      gateway: { name: 'luban-gateway', namespace: 'gateway' },
      webhooks: { targetBaseUrl: 'https://backstage.example.com/api/events/http' },
      namespaces: { podSecurity: 'restricted', groupPattern: '{name}' },
    });
  });

  it('keeps the cluster of each environment', () => {
    const config = readLubanConfig(
      new ConfigReader({ luban: { environments: [{ name: 'dev' }, { name: 'qa' }, { name: 'prod', cluster: 'east' }] } }),
    );

    expect(config.environments.map(env => [env.name, env.cluster])).toEqual([
      ['dev', undefined],
      ['qa', undefined],
      ['prod', 'east'],
    ]);
  });

  it('reads the kpack build cache, the former cacheSize key too, and refuses a size that is not a quantity', () => {
    const cache = (kpack: object) => readLubanConfig(new ConfigReader({ luban: { kpack } })).kpack.cache;
    expect(cache({ cache: { size: '5Gi', storageClassName: 'fast-ssd' } })).toEqual({ size: '5Gi', storageClassName: 'fast-ssd' });
    expect(cache({ cacheSize: '3G' })).toEqual({ size: '3G', storageClassName: undefined });
    expect(cache({ cacheSize: '3G', cache: { size: '4G' } }).size).toBe('4G');
    expect(() => cache({ cache: { size: 'big' } })).toThrow(
      "luban.kpack.cache.size must be a Kubernetes quantity such as 2G or 500Mi; got 'big'",
    );
    expect(() => cache({ cache: { storageClassName: 'Fast SSD' } })).toThrow(
      "luban.kpack.cache.storageClassName must be a StorageClass name; got 'Fast SSD'",
    );
  });

  it('refuses a setting outside its choices, naming the key', () => {
    expect(() => readLubanConfig(new ConfigReader({ luban: { gitops: { autoDeploy: 'sometimes' } } }))).toThrow(
      "luban.gitops.autoDeploy must be one of commit, pull-request, off; got 'sometimes'",
    );
  });

  it('reads platform admins as full lower-case group refs, and refuses a ref that is not a group', () => {
    const config = readLubanConfig(new ConfigReader({ luban: { permissions: { platformAdmins: ['Platform-Team', 'group:ops/SRE'] } } }));
    expect(config.permissions.platformAdmins).toEqual(['group:default/platform-team', 'group:ops/sre']);

    expect(() => readLubanConfig(new ConfigReader({ luban: { permissions: { platformAdmins: ['user:default/ada'] } } }))).toThrow(
      "'user:default/ada' is not a group reference",
    );
  });

  it("gives each provider its own webhook secret, falling back to the deprecated shared one", () => {
    const github = 'g'.repeat(32);
    const shared = 's'.repeat(40);
    const config = readLubanConfig(new ConfigReader({ luban: { webhooks: { github: { secret: github }, secret: shared } } }));

    expect(webhookSecretOf(config, 'github')).toBe(github);
    expect(webhookSecretOf(config, 'azure')).toBe(shared);
    expect(webhookSecretOf(readLubanConfig(new ConfigReader({})), 'azure')).toBeUndefined();
  });

  it('refuses a webhook secret shorter than 32 characters, naming the key and not the secret', () => {
    const short = 'short-secret-31-characters-long';
    const perProvider = readLubanConfig(new ConfigReader({ luban: { webhooks: { azure: { secret: short } } } }));
    const shared = readLubanConfig(new ConfigReader({ luban: { webhooks: { secret: short } } }));

    expect(() => webhookSecretOf(perProvider, 'azure')).toThrow('luban.webhooks.azure.secret must be at least 32 characters long; it has 31');
    expect(() => webhookSecretOf(shared, 'github')).toThrow('luban.webhooks.secret must be at least 32 characters long; it has 31');
    expect(() => webhookSecretOf(shared, 'github')).not.toThrow(short);
  });
});
