import { ConfigReader } from '@backstage/config';
import { readLubanEnvironments } from './environments';

describe('readLubanEnvironments', () => {
  it('defaults to snd then prd', () => {
    expect(readLubanEnvironments(new ConfigReader({}))).toEqual([
      { name: 'snd', namespacePattern: '{env}-{project}', autoSync: true },
      { name: 'prd', namespacePattern: '{env}-{project}', autoSync: false },
    ]);
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
    expect(readLubanEnvironments(config)).toEqual([
      { name: 'dev', namespacePattern: '{env}-{project}', autoSync: true },
      { name: 'qa', namespacePattern: '{project}-qa', autoSync: true },
      { name: 'prod', namespacePattern: '{env}-{project}', autoSync: false },
    ]);
  });

  it.each([
    [{ environments: [] }, 'luban.environments must list at least one environment'],
    [{ environments: [{ name: 'Prod' }] }, /luban.environments\[0\].name: The environment name "Prod" must be lowercase/],
    [{ environments: [{ name: 'ci' }] }, /reserved for the build namespace/],
    [{ environments: [{ name: 'snd' }, { name: 'snd' }] }, "luban.environments[1].name: 'snd' is listed twice"],
    [{ environments: [{ name: 'snd', namespace: 'shared' }] }, /must contain \{project\}/],
  ])('rejects %j with a message naming the entry', (luban, message) => {
    expect(() => readLubanEnvironments(new ConfigReader({ luban }))).toThrow(message);
  });
});
