import { ConfigReader } from '@backstage/config';
import { readLubanEnvironments, requiredApprovalsOfBranch } from './environments';

describe('readLubanEnvironments', () => {
  it('defaults to snd then prd, with prd promoted from snd behind the default gates', () => {
    const overlayPathPattern = 'apps/{app}/overlays/{env}/kustomization.yaml';
    expect(readLubanEnvironments(new ConfigReader({}))).toEqual([
      { name: 'snd', namespacePattern: '{env}-{project}', autoSync: true, overlayPathPattern, requiredApprovals: 0 },
      {
        name: 'prd',
        namespacePattern: '{env}-{project}',
        autoSync: false,
        overlayPathPattern,
        promotesFrom: 'snd',
        gates: { requireSynced: true, requireHealthy: true, requireBuildSucceeded: true, blockSeverity: 'CRITICAL', minSoakMinutes: 0 },
        requiredApprovals: 1,
      },
    ]);
  });

  it('asks one approval of the last environment unless told otherwise, and the branch the most of any', () => {
    const environments = readLubanEnvironments(
      new ConfigReader({ luban: { environments: [{ name: 'dev' }, { name: 'qa', requiredApprovals: 2 }, { name: 'prod' }] } }),
    );
    expect(environments.map(env => env.requiredApprovals)).toEqual([0, 2, 1]);
    expect(requiredApprovalsOfBranch(environments)).toBe(2);
    expect(requiredApprovalsOfBranch([{ name: 'dev', namespacePattern: '{env}-{project}', requiredApprovals: 0 }])).toBe(0);
    expect(() =>
      readLubanEnvironments(new ConfigReader({ luban: { environments: [{ name: 'dev' }, { name: 'prod', requiredApprovals: 7 }] } })),
    ).toThrow('luban.environments[1].requiredApprovals must be a whole number from 0 to 6 (GitHub asks for at most 6 approving reviews)');
  });

  it('reads clusters, overlay paths, promotion sources and gates', () => {
    const [, qa, prod] = readLubanEnvironments(
      new ConfigReader({
        luban: {
          environments: [
            { name: 'dev' },
            { name: 'qa', cluster: 'nonprod', overlayPath: 'deploy/{env}/{app}/kustomization.yaml' },
            { name: 'prod', promotesFrom: 'dev', gates: { blockSeverity: 'high', minSoakMinutes: 30, requireHealthy: false } },
          ],
        },
      }),
    );
    expect(qa).toMatchObject({ cluster: 'nonprod', overlayPathPattern: 'deploy/{env}/{app}/kustomization.yaml', promotesFrom: 'dev' });
    expect(prod).toMatchObject({
      promotesFrom: 'dev',
      gates: { requireSynced: true, requireHealthy: false, blockSeverity: 'HIGH', minSoakMinutes: 30 },
    });
  });

  it('reads configured environments in order, with namespace patterns', () => {
    const config = new ConfigReader({
      luban: {
        environments: [
          { name: 'dev' },
          { name: 'qa', namespace: '{project}-qa', autoSync: true },
          { name: 'prod' },
        ],
      },
    });
    expect(readLubanEnvironments(config).map(({ name, namespacePattern, autoSync, promotesFrom }) => ({ name, namespacePattern, autoSync, promotesFrom }))).toEqual([
      { name: 'dev', namespacePattern: '{env}-{project}', autoSync: true, promotesFrom: undefined },
      { name: 'qa', namespacePattern: '{project}-qa', autoSync: true, promotesFrom: 'dev' },
      { name: 'prod', namespacePattern: '{env}-{project}', autoSync: false, promotesFrom: 'qa' },
    ]);
  });

  it.each([
    [{ environments: [] }, 'luban.environments must list at least one environment'],
    [{ environments: [{ name: 'Prod' }] }, /luban.environments\[0\].name: The environment name "Prod" must be lowercase/],
    [{ environments: [{ name: 'ci' }] }, /reserved for the build namespace/],
    [{ environments: [{ name: 'snd' }, { name: 'snd' }] }, "luban.environments[1].name: 'snd' is listed twice"],
    [{ environments: [{ name: 'snd', namespace: 'shared' }] }, /must contain \{project\}/],
    [{ environments: [{ name: 'snd', gates: {} }] }, /is the first environment: nothing promotes into it/],
    [{ environments: [{ name: 'snd' }, { name: 'prd', promotesFrom: 'uat' }] }, /promotesFrom: 'uat' must name an environment listed before 'prd'/],
    [{ environments: [{ name: 'snd' }, { name: 'prd', gates: { blockSeverity: 'urgent' } }] }, /blockSeverity: 'URGENT' must be one of NONE, LOW, MEDIUM, HIGH, CRITICAL/],
    [{ environments: [{ name: 'snd', overlayPath: '../x/{app}.yaml' }] }, /must be a relative path inside the GitOps repository/],
  ])('rejects %j with a message naming the entry', (luban, message) => {
    expect(() => readLubanEnvironments(new ConfigReader({ luban }))).toThrow(message);
  });
});
