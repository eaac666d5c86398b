import { writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions, Row, Section } from './fixtures';

const SCENARIOS = ['builds', 'promotion', 'onboarding', 'scale', 'frontend', 'load'] as const;
type Scenario = (typeof SCENARIOS)[number];
/** The letters of the list, as the results table shows them. */
const LETTERS: Record<Scenario, string> = { builds: 'a', promotion: 'b', onboarding: 'c', scale: 'd', frontend: 'e', load: 'load' };
/** What runs without --only: the load test takes its own minute and a machine to itself. */
const DEFAULT_SCENARIOS: Scenario[] = ['builds', 'promotion', 'onboarding', 'scale', 'frontend'];

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

function verdict(row: Row): string {
  if (row.met === undefined) return '';
  return row.met ? 'met' : 'MISSED';
}

function markdownTable(rows: Row[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const lines = ['| | Metric | luban | Baseline | Target | Verdict |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    lines.push(`| ${row.scenario} | ${escape(row.metric)} | ${escape(row.luban)} | ${escape(row.baseline)} | ${escape(row.target)} | ${verdict(row)} |`);
  }
  return lines.join('\n');
}

function consoleTable(rows: Row[]): string {
  const columns = ['', 'Metric', 'luban', 'Baseline', 'Target', 'Verdict'];
  const cells = rows.map(r => [r.scenario, r.metric, r.luban, r.baseline, r.target, verdict(r)]);
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map(row => row[i].length))));
  const line = (row: string[]) => row.map((cell, i) => (cell.length > widths[i] ? `${cell.slice(0, widths[i] - 1)}…` : cell.padEnd(widths[i]))).join(' │ ');
  return [line(columns), widths.map(w => '─'.repeat(w)).join('─┼─'), ...cells.map(line)].join('\n');
}

function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} (shared; load average ${loadavg().map(l => l.toFixed(1)).join(' ')} at the end), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ${platform()} ${release()}, Node ${process.version}`;
}

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
    const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const text = [
      '# luban benchmark results',
      '',
      `Written by \`node bench/run.mjs ${process.argv.slice(2).join(' ')}\`.`.replace(/ `\.$/, '`.'),
      '',
      `- Date: ${date}`,
      `- Machine: ${machine()}`,
      `- Options: ${options.views} warm views, ${options.cold} cold backends, ${options.latencyMs} ms emulator latency, ${options.entities} entities, ${options.windowSeconds} s scale window`,
      '',
      markdownTable(rows),
      '',
      ...sections.flatMap(section => [
        `## ${section.title}`,
        '',
        ...section.rows.filter(r => r.note).map(r => `- **${r.metric}**: ${r.note}`),
        ...(section.rows.some(r => r.note) ? [''] : []),
        ...section.notes.flatMap(note => [note, '']),
      ]),
    ].join('\n');
    writeFileSync(join(__dirname, '..', 'RESULTS.md'), text);
    process.stdout.write('\nwrote bench/RESULTS.md\n');
  }
  // Backends leave timers (catalog processing, watches' retries) behind; the run is over.
  process.exit(0);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
