import { ConfigReader } from '@backstage/config';
import { readLubanConfig } from './readLubanConfig';

describe('readLubanConfig', () => {
  it('fills in every default when luban is not configured', () => {
    const config = readLubanConfig(new ConfigReader({ backend: { baseUrl: 'https://backstage.example.com' } }));

    expect(config).toMatchObject({
      environments: [expect.objectContaining({ name: 'snd' }), expect.objectContaining({ name: 'prd' })],
      requestTimeoutMs: 30_000,
      gitops: { branch: 'main', autoDeploy: 'commit' },
      argocd: { namespace: 'argocd', destinationServer: 'https://kubernetes.default.svc' },
      kpack: { builder: { kind: 'ClusterBuilder', name: 'luban-builder' }, cacheSize: '2G' },
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

  it('refuses a setting outside its choices, naming the key', () => {
    expect(() => readLubanConfig(new ConfigReader({ luban: { gitops: { autoDeploy: 'sometimes' } } }))).toThrow(
      "luban.gitops.autoDeploy must be one of commit, pull-request, off; got 'sometimes'",
    );
  });
});
