import { ConfigReader } from '@backstage/config';
import { readMaxStalenessMs } from '../config/environments';
import { RepositoryWatch } from './repositoryWatch';

const REPO = { provider: 'github' as const, host: 'github.example.com', owner: 'Payments', repo: 'payments-gitops' };
const OTHER = { ...REPO, repo: 'analytics-gitops' };

describe('RepositoryWatch', () => {
  let now = 1_000;
  const watch = new RepositoryWatch({ maxStalenessMs: 60_000, now: () => now });

  it('trusts nothing of a repository no webhook delivery came from', () => {
    watch.changed(OTHER);
    now += 10;
    expect(watch.trusts(OTHER, now - 1)).toBe(false);
  });

  it('trusts an answer asked for after the last delivery or change, for at most the staleness bound', () => {
    watch.delivered(REPO);
    const deliveredAt = now;
    // Asked in the same millisecond as the delivery: not after it.
    expect(watch.trusts(REPO, deliveredAt)).toBe(false);
    now += 5;
    const askedAt = now;
    now += 59_999;
    expect(watch.trusts(REPO, askedAt)).toBe(true);
    now += 1;
    expect(watch.trusts(REPO, askedAt)).toBe(false);
  });

  it('stops trusting an answer once the repository changed after it was asked for, on any host spelling', () => {
    const askedAt = now;
    now += 1;
    expect(watch.trusts(REPO, askedAt)).toBe(true);
    watch.changed({ ...REPO, host: 'GitHub.example.com', owner: 'payments' });
    expect(watch.trusts(REPO, askedAt)).toBe(false);
    now += 1;
    expect(watch.trusts(REPO, now - 1)).toBe(false);
    now += 1;
    expect(watch.trusts(REPO, now - 1)).toBe(true);
  });

  it('trusts nothing with a staleness bound of zero, however fresh the answer', () => {
    let clock = 0;
    const never = new RepositoryWatch({ maxStalenessMs: 0, now: () => clock });
    never.delivered(REPO);
    clock += 1;
    // Asked after the delivery, read in the same instant: only the bound of zero refuses it.
    expect(never.trusts(REPO, clock)).toBe(false);
    const someTrust = new RepositoryWatch({ maxStalenessMs: 1, now: () => clock });
    someTrust.delivered(REPO);
    clock += 1;
    expect(someTrust.trusts(REPO, clock)).toBe(true);
  });

  it('reads luban.gitops.maxStaleness: 60 s by default, a duration, or a plain 0; anything else is refused', () => {
    const read = (maxStaleness?: unknown) => readMaxStalenessMs(new ConfigReader({ luban: { gitops: maxStaleness === undefined ? {} : { maxStaleness } } }));
    expect([read(), read(0), read({ seconds: 0 }), read({ seconds: 5 }), read('2m')]).toEqual([60_000, 0, 0, 5_000, 120_000]);
    expect(() => read('soon')).toThrow(/maxStaleness/);
  });
});
