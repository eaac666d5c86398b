import type { LubanDeployment } from '@luban-backstage/plugin-luban-common';
import type { KpackBuild } from '@luban-backstage/plugin-luban-node';
import {
  buildSamples,
  environmentSamples,
  insightsWindow,
  isRollbackCommit,
  percentiles,
  summariseBuilds,
  summariseEnvironment,
} from './deliveryMetrics';

/** 30 days up to 31 March: from 1 March 00:00 UTC, five weeks (the last one two days long). */
const WINDOW = insightsWindow(30, new Date('2026-03-31T00:00:00Z'));

let shaCounter = 0;
function deploy(digest: string, date: string, options: { revision?: string; message?: string } = {}): LubanDeployment {
  shaCounter++;
  return {
    digest: `sha256:${digest.repeat(64)}`,
    commitSha: `c${shaCounter}`,
    date,
    message: options.message ?? `Promote app to prd (${digest})`,
    ...(options.revision ? { build: { name: `b-${digest}`, number: shaCounter, revision: options.revision } } : {}),
    current: false,
  };
}

/**
 * The hand-computed history of prd (oldest first):
 * - A on 20 Feb: before the window, not counted;
 * - B on 2 Mar 12:00, source committed 10:00: lead time 2 h (7,200 s);
 * - C on 9 Mar 12:00, source committed 8 Mar 12:00: lead time 1 day (86,400 s), rolled back by
 * - B again on 9 Mar 15:00, luban's rollback: C failed, restored after 3 h (10,800 s); no lead time;
 * - D on 16 Mar 12:00, source 11:00: lead time 3,600 s; its sync failed (Argo CD's last operation), fixed by
 * - E on 16 Mar 18:00, source 17:30: lead time 1,800 s; D restored after 6 h (21,600 s);
 * - F on 30 Mar 09:00, its source commit's date unknown: no lead time.
 */
function prdHistory() {
  const chronological = [
    deploy('a', '2026-02-20T10:00:00Z', { revision: 'r-a' }),
    deploy('b', '2026-03-02T12:00:00Z', { revision: 'r-b' }),
    deploy('c', '2026-03-09T12:00:00Z', { revision: 'r-c' }),
    deploy('b', '2026-03-09T15:00:00Z', { revision: 'r-b', message: 'Roll back app in prd to sha256:bbbbbbbbbbbb' }),
    deploy('d', '2026-03-16T12:00:00Z', { revision: 'r-d' }),
    deploy('e', '2026-03-16T18:00:00Z', { revision: 'r-e' }),
    deploy('f', '2026-03-30T09:00:00Z', { revision: 'r-f' }),
  ];
  const commitDates = new Map([
    ['r-a', '2026-02-19T10:00:00Z'],
    ['r-b', '2026-03-02T10:00:00Z'],
    ['r-c', '2026-03-08T12:00:00Z'],
    ['r-d', '2026-03-16T11:00:00Z'],
    ['r-e', '2026-03-16T17:30:00Z'],
  ]);
  // Argo CD's types.go OperationState: phase Failed, syncResult.revision the commit of D.
  const lastOperation = { phase: 'Failed', revision: chronological[4].commitSha, startedAt: '2026-03-16T12:01:00Z' };
  return { versions: [...chronological].reverse(), commitDates, lastOperation };
}

describe('delivery metrics', () => {
  it('percentiles are nearest-rank values of the set', () => {
    expect(percentiles([])).toEqual({ count: 0 });
    expect(percentiles([7])).toEqual({ count: 1, p50: 7, p90: 7 });
    // 10 values: p50 is the 5th, p90 the 9th.
    expect(percentiles([10, 1, 9, 2, 8, 3, 7, 4, 6, 5])).toEqual({ count: 10, p50: 5, p90: 9 });
  });

  it("recognises luban's rollback commits by what rollback writes", () => {
    expect(isRollbackCommit('Roll back ledger-api in prd to sha256:0123456789ab\n\nRequested by user:default/jane.')).toBe(true);
    expect(isRollbackCommit('Backwards: promote ledger-api to prd (sha256:0123456789ab)')).toBe(true);
    expect(isRollbackCommit('Merge pull request #7 from acme/luban/rollback/ledger-api/prd/0123456789ab')).toBe(true);
    expect(isRollbackCommit('Promote ledger-api to prd (sha256:0123456789ab)')).toBe(false);
    expect(isRollbackCommit(undefined)).toBe(false);
  });

  it('counts each DORA measure of a hand-computed history', () => {
    const insights = summariseEnvironment('prd', [environmentSamples(prdHistory(), WINDOW)], WINDOW);
    expect(insights).toEqual({
      name: 'prd',
      deploys: 6,
      // 6 deploys over 30/7 weeks.
      deploysPerWeek: 1.4,
      // 1,800, 3,600, 7,200, 86,400: the 2nd and the 4th.
      leadTimeSeconds: { count: 4, p50: 3600, p90: 86400 },
      rollbacks: 1,
      failedSyncs: 1,
      failedDeploys: 2,
      changeFailureRate: 2 / 6,
      timeToRestoreSeconds: { count: 2, p50: 10800, p90: 21600 },
      weeks: [
        { start: '2026-03-01T00:00:00.000Z', deploys: 1, failures: 0 },
        { start: '2026-03-08T00:00:00.000Z', deploys: 2, failures: 1 },
        { start: '2026-03-15T00:00:00.000Z', deploys: 2, failures: 1 },
        { start: '2026-03-22T00:00:00.000Z', deploys: 0, failures: 0 },
        { start: '2026-03-29T00:00:00.000Z', deploys: 1, failures: 0 },
      ],
    });
  });

  it('takes a digest the environment ran before as a rollback, whatever the commit says', () => {
    const history = prdHistory();
    const manualRevert = { ...history.versions[3], message: 'revert C by hand' };
    const versions = history.versions.map((v, i) => (i === 3 ? manualRevert : v));
    const samples = environmentSamples({ ...history, versions, lastOperation: undefined }, WINDOW);
    expect([samples.rollbacks, samples.failedSyncs, samples.failedDeploys, samples.restoreTimes]).toEqual([1, 0, 1, [10800]]);
  });

  it('gives a failed sync of a later commit that left the digest alone to the deploy in effect when it started', () => {
    const history = prdHistory();
    const lastOperation = { phase: 'Error', revision: 'not-a-deploy', startedAt: '2026-03-30T10:00:00Z' };
    const samples = environmentSamples({ ...history, lastOperation }, WINDOW);
    // F failed, and nothing restored it yet: no time to restore for it.
    expect([samples.failedSyncs, samples.failedDeploys, samples.restoreTimes]).toEqual([1, 2, [10800]]);
    expect(samples.weeks[4]).toEqual({ deploys: 1, failures: 1 });
  });

  it('leaves a successful or running operation out, and says nothing of a rate without deploys', () => {
    const history = prdHistory();
    const running = environmentSamples({ ...history, lastOperation: { ...history.lastOperation, phase: 'Running' } }, WINDOW);
    expect(running.failedSyncs).toBe(0);
    const empty = summariseEnvironment('snd', [environmentSamples({ versions: [], commitDates: new Map() }, WINDOW)], WINDOW);
    expect(empty).toMatchObject({ deploys: 0, deploysPerWeek: 0, leadTimeSeconds: { count: 0 }, timeToRestoreSeconds: { count: 0 } });
    expect(empty.changeFailureRate).toBeUndefined();
  });

  it("adds up a project's apps per environment", () => {
    const one = environmentSamples(prdHistory(), WINDOW);
    const other = environmentSamples({ versions: [deploy('9', '2026-03-03T12:00:00Z', { revision: 'r-9' })], commitDates: new Map([['r-9', '2026-03-03T11:00:00Z']]) }, WINDOW);
    const project = summariseEnvironment('prd', [one, other], WINDOW);
    expect(project).toMatchObject({
      deploys: 7,
      deploysPerWeek: 1.63,
      // 1,800, 3,600, 3,600, 7,200, 86,400.
      leadTimeSeconds: { count: 5, p50: 3600, p90: 86400 },
      failedDeploys: 2,
      changeFailureRate: 2 / 7,
    });
    expect(project.weeks[0]).toEqual({ start: '2026-03-01T00:00:00.000Z', deploys: 2, failures: 0 });
  });

  it('counts finished builds started in the window, and the durations of the succeeded ones', () => {
    const build = (status: KpackBuild['status'], createdAt: string, seconds?: number): KpackBuild => ({
      name: `b${createdAt}`,
      namespace: 'ci-acme',
      image: 'app',
      number: 1,
      reasons: ['COMMIT'],
      status,
      createdAt,
      ...(seconds !== undefined ? { finishedAt: new Date(Date.parse(createdAt) + seconds * 1000).toISOString() } : {}),
      steps: [],
    });
    const samples = buildSamples(
      [
        build('succeeded', '2026-03-02T09:00:00Z', 300),
        build('failed', '2026-03-05T09:00:00Z', 50),
        build('succeeded', '2026-03-08T09:00:00Z', 100),
        build('cancelled', '2026-03-09T09:00:00Z', 20),
        build('running', '2026-03-30T23:00:00Z'),
        build('succeeded', '2026-02-20T09:00:00Z', 900),
        build('succeeded', '2026-03-20T09:00:00Z', 600),
      ],
      WINDOW,
    );
    expect(summariseBuilds([samples])).toEqual({
      finished: 4,
      succeeded: 3,
      failed: 1,
      successRate: 0.75,
      // 100, 300, 600.
      durationSeconds: { count: 3, p50: 300, p90: 600 },
    });
    expect(summariseBuilds([])).toEqual({ finished: 0, succeeded: 0, failed: 0, durationSeconds: { count: 0 } });
  });
});
