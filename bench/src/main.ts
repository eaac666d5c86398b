import type { BenchOptions, Section } from './fixtures';
import { consoleTable, runContext, writeResults } from './results';

const SCENARIOS = ['builds', 'promotion', 'onboarding', 'scale', 'frontend', 'load'] as const;
type Scenario = (typeof SCENARIOS)[number];
/** The letters of the list, as the results table shows them. */
const LETTERS: Record<Scenario, string> = { builds: 'a', promotion: 'b', onboarding: 'c', scale: 'd', frontend: 'e', load: 'load' };
/** What runs without --only: every scenario, so one run gives every figure at one commit. */
const DEFAULT_SCENARIOS: Scenario[] = [...SCENARIOS];

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

function selected(): Scenario[] {
  const index = process.argv.indexOf('--only');
  if (index < 0) return DEFAULT_SCENARIOS;
  const names = process.argv[index + 1].split(',');
  for (const name of names) {
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario '${name}'; the scenarios are ${SCENARIOS.join(', ')}`);
  }
  return names as Scenario[];
}

// Loaded when run: each scenario brings heavy dependencies (a backend, a browser).
/* eslint-disable @typescript-eslint/no-require-imports */
function run(scenario: Scenario, options: BenchOptions): Promise<Section> {
  switch (scenario) {
    case 'builds':
      return require('./builds').benchBuilds(options);
    case 'promotion':
      return require('./promotion').benchPromotion(options);
    case 'onboarding':
      return require('./onboarding').benchOnboarding(options);
    case 'scale':
      return require('./scale').benchScale(options);
    case 'load':
      return require('./load').benchLoad(options);
    default:
      return require('./frontend').benchFrontend(options);
  }
}
/* eslint-enable @typescript-eslint/no-require-imports */

async function main() {
  const options: BenchOptions = {
    views: option('views', 100),
    cold: option('cold', 10),
    latencyMs: option('latency', 20),
    entities: option('entities', 1000),
    windowSeconds: option('window', 60),
  };
  const sections: Section[] = [];
  for (const scenario of selected()) {
    process.stderr.write(`[bench] ${scenario}…\n`);
    const started = Date.now();
    try {
      sections.push(await run(scenario, options));
    } catch (error) {
      sections.push({
        title: scenario,
        rows: [{ scenario: LETTERS[scenario], metric: `${scenario}: did not run`, luban: 'error', baseline: '', target: '', note: String(error) }],
        notes: [`${scenario} failed: ${(error as Error)?.stack ?? error}`],
      });
    }
    process.stderr.write(`[bench] ${scenario} took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  const rows = sections.flatMap(s => s.rows);
  process.stdout.write(`\n${consoleTable(rows)}\n\n`);
  for (const row of rows.filter(r => r.note)) process.stdout.write(`  ${row.scenario} · ${row.metric}: ${row.note}\n`);

  if (!process.argv.includes('--no-write')) {
    writeResults(runContext(options), sections);
    process.stdout.write('\nwrote bench/RESULTS.md and bench/results.json\n');
  }
  // Backends leave timers (catalog processing, watches' retries) behind; the run is over.
  process.exit(0);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
