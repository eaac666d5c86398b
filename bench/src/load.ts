import { DEMO } from '@luban-backstage/emulator';
import { describeRequests, getJson, recording, startBenchBackend, startSeededEmulator, type BenchOptions, type Section } from './fixtures';
import { ms } from './stats';

// autocannon ships no types; what is used of it is typed here.
interface LoadResult {
  latency: { p50: number; p99: number; max: number };
  requests: { total: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<LoadResult>;

const VIEWERS = 50;


/**
 * Load: 50 concurrent viewers, half on the builds endpoint and half on the
 * promotion endpoint of the demo app, for `--window` seconds (60 by
 * default), through autocannon. Reports p50/p99 latency and errors, and
 * what reached the platform: concurrent identical reads share one upstream
 * request. Not part of CI: `node bench/run.mjs --only load`.
 */
export async function benchLoad(options: BenchOptions): Promise<Section> {
  const emulator = await startSeededEmulator();
  try {
    emulator.faults.latencyMs = options.latencyMs;
    const backend = await startBenchBackend({ emulator, config: { luban: { gitops: { autoDeploy: 'off' } } } });
    try {
      const path = (what: string) => `/api/luban/entities/component/default/${DEMO.app}/${what}`;
      // Warm both endpoints, as a page that was opened before would have.
      for (const what of ['builds', 'promotion']) {
        const { status } = await getJson(`${backend.baseUrl}${path(what)}`, backend.owner);
        if (status !== 200) throw new Error(`${what} answered ${status}`);
      }
      const run = (what: string) =>
        autocannon({
          url: `${backend.baseUrl}${path(what)}`,
          connections: VIEWERS / 2,
          duration: options.windowSeconds,
          headers: { authorization: backend.owner },
        });
      const { value: results, requests } = await recording(emulator, () => Promise.all([run('builds'), run('promotion')]));
      const [builds, promotion] = results;
      const failed = (r: LoadResult) => r.errors + r.timeouts + r.non2xx;
      const views = builds.requests.total + promotion.requests.total;
      const upstream = requests.filter(r => !(r.system === 'kubernetes' && /[?&]watch=/.test(r.path)));
      const row = (name: string, r: LoadResult) => ({
        scenario: 'load',
        metric: `${name}: ${VIEWERS / 2} viewers for ${options.windowSeconds} s`,
        luban: `p50 ${ms(r.latency.p50)}, p99 ${ms(r.latency.p99)}, ${Math.round(r.requests.average)} views/s`,
        baseline: '',
        target: 'no errors',
        met: failed(r) === 0,
        note: `${r.requests.total} views, ${failed(r)} failed (${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} not 2xx), max ${ms(r.latency.max)}`,
      });
      return {
        title: `Load: ${VIEWERS} concurrent viewers, ${options.latencyMs} ms upstream latency`,
        rows: [
          row('Builds', builds),
          row('Promotion', promotion),
          {
            scenario: 'load',
            metric: 'Upstream requests during the load',
            luban: `${upstream.length} for ${views} views (${(upstream.length / views).toFixed(3)} per view)`,
            baseline: '',
            target: '',
            note: describeRequests(upstream),
          },
        ],
        notes: [
          `autocannon against the test backend (real catalog, permissions, luban) on the seeded emulator, ${VIEWERS / 2} connections on GET ${path('builds')} and ${VIEWERS / 2} on GET ${path('promotion')}, both warm. ` +
            'Builds come from the watch cache; the promotion view asks the GitOps host once whether the branch moved, and concurrent views share that request.',
        ],
      };
    } finally {
      await backend.stop();
    }
  } finally {
    await emulator.stop();
  }
}
