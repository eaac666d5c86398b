import { ConfigReader } from '@backstage/config';
import { readLubanEnvironments } from './environments';
import { readLubanReleases } from './releases';

/** Backstage's JSON object, as ConfigReader takes it. */
type JsonObject = NonNullable<ConstructorParameters<typeof ConfigReader>[0]>;

const environments = (prd: Record<string, unknown> = {}) => ({ environments: [{ name: 'snd' }, { name: 'prd', ...prd }] });

describe('luban.releases and autoPromote', () => {
  it('reads autoPromote as a pull request (true, pr) or a commit, and never on the first environment', () => {
    const read = (autoPromote: unknown) => readLubanEnvironments(new ConfigReader({ luban: environments({ autoPromote }) }))[1].autoPromote;
    expect(read(true)).toBe('pull-request');
    expect(read('pr')).toBe('pull-request');
    expect(read('commit')).toBe('commit');
    expect(read(false)).toBeUndefined();
    expect(readLubanEnvironments(new ConfigReader({ luban: environments() }))[1].autoPromote).toBeUndefined();
    expect(() => read('merge')).toThrow("luban.environments[1].autoPromote must be true, false, 'pr' or 'commit'; got 'merge'");
    expect(() => readLubanEnvironments(new ConfigReader({ luban: { environments: [{ name: 'snd', autoPromote: true }] } }))).toThrow(
      'takes no promotesFrom, gates or autoPromote',
    );
  });

  it('proposes rollbacks within 30 minutes unless told otherwise, and promotes tags only into an environment promoted into', () => {
    const read = (releases: JsonObject) => {
      const config = new ConfigReader({ luban: { ...environments(), releases } });
      return readLubanReleases(config, readLubanEnvironments(config));
    };
    expect(read({})).toEqual({ promoteTagsTo: undefined, rollbackProposalWindowMs: 30 * 60_000 });
    expect(read({ promoteTagsTo: 'prd', rollbackProposalWindow: '2h' })).toEqual({ promoteTagsTo: 'prd', rollbackProposalWindowMs: 2 * 3_600_000 });
    expect(read({ rollbackProposalWindow: { minutes: 5 } }).rollbackProposalWindowMs).toBe(300_000);
    expect(() => read({ promoteTagsTo: 'snd' })).toThrow("luban.releases.promoteTagsTo: 'snd' must name an environment that is promoted into (prd)");
  });
});
