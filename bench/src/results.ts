import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions, Row, Section } from './fixtures';

/** Where the benchmark was measured: the commit (and whether the tree had changes) and the machine. */
export interface RunContext {
  command: string;
  date: string;
  commit: string;
  /** True when the working tree had uncommitted changes: the figures are not of `commit` alone. */
  dirty: boolean;
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string; loadAverageAtEnd: number[] };
  options: BenchOptions;
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: join(__dirname, '..', '..'), encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** The commit, date and machine of this run, read by program (nothing here is typed by hand). */
export function runContext(options: BenchOptions): RunContext {
  const cpu = cpus();
  return {
    command: ['node bench/run.mjs', ...process.argv.slice(2)].join(' '),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit: git('rev-parse', 'HEAD') || 'unknown',
    // bench/RESULTS.md and results.json themselves are what this run rewrites.
    dirty: git('status', '--porcelain', '--', '.', ':!bench/RESULTS.md', ':!bench/results.json') !== '',
    machine: {
      cpu: cpu[0]?.model ?? 'unknown CPU',
      cores: cpu.length,
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      os: `${platform()} ${release()}`,
      node: process.version,
      loadAverageAtEnd: loadavg().map(l => Number(l.toFixed(2))),
    },
    options,
  };
}

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

/** The table printed at the end of a run. */
export function consoleTable(rows: Row[]): string {
  const columns = ['', 'Metric', 'luban', 'Baseline', 'Target', 'Verdict'];
  const cells = rows.map(r => [r.scenario, r.metric, r.luban, r.baseline, r.target, verdict(r)]);
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map(row => row[i].length))));
  const line = (row: string[]) => row.map((cell, i) => (cell.length > widths[i] ? `${cell.slice(0, widths[i] - 1)}…` : cell.padEnd(widths[i]))).join(' │ ');
  return [line(columns), widths.map(w => '─'.repeat(w)).join('─┼─'), ...cells.map(line)].join('\n');
}

function markdown(context: RunContext, sections: Section[]): string {
  const { machine, options } = context;
  const rows = sections.flatMap(s => s.rows);
  const targets = rows.filter(r => r.met !== undefined);
  const notRun = rows.filter(r => r.metric.endsWith(': did not run'));
  return [
    '# luban benchmark results',
    '',
    `Written entirely by \`${context.command}\` (bench/src/results.ts); do not edit by hand. Why a target is missed: [NOTES.md](NOTES.md). Every figure, machine-readable: [results.json](results.json).`,
    '',
    `- Commit: \`${context.commit}\`${context.dirty ? ' with uncommitted changes' : ''}`,
    `- Date: ${context.date}`,
    `- Machine: ${machine.cpu} × ${machine.cores} (load average ${machine.loadAverageAtEnd.join(' ')} at the end), ${machine.memoryGiB} GiB RAM, ${machine.os}, Node ${machine.node}`,
    `- Options: ${options.views} warm views, ${options.cold} cold backends, ${options.latencyMs} ms emulator latency, ${options.entities} entities, ${options.windowSeconds} s scale and load window`,
    `- Targets: ${targets.filter(r => r.met).length} met, ${targets.filter(r => !r.met).length} missed`,
    // A scenario that failed has no target row to miss: say so, or the counts above would look better than the run.
    ...(notRun.length > 0 ? [`- Did not run: ${notRun.map(r => r.metric.replace(/: did not run$/, '')).join(', ')} (the error is in its section)`] : []),
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
}

/** Writes bench/RESULTS.md and bench/results.json from one run. */
export function writeResults(context: RunContext, sections: Section[]) {
  const dir = join(__dirname, '..');
  writeFileSync(join(dir, 'RESULTS.md'), markdown(context, sections));
  const json = {
    ...context,
    sections: sections.map(s => ({ title: s.title, rows: s.rows.map(r => ({ ...r, verdict: verdict(r) || undefined })), notes: s.notes })),
  };
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
}
