#!/usr/bin/env node
/**
 * luban's benchmarks: one command that measures luban against the baselines
 * its design replaces, prints a table and writes bench/RESULTS.md and
 * bench/results.json (with the commit, date, machine and options).
 *
 *   node bench/run.mjs [--only builds,promotion,onboarding,scale,frontend,load] [--views 100] [--cold 10]
 *                      [--entities 1000] [--window 60] [--latency 20] [--no-write]
 *
 * Without --only it runs every scenario, the load test of 50 concurrent
 * viewers included (about 20 minutes on 2 cores); `--only load` runs one. The frontend scenario starts the real backend on
 * :7007 and the emulator on :7011-7014, so not while ./scripts/start runs.
 * Node 22 and the dependencies come from ./scripts/test or ./scripts/start
 * (or `source scripts/bootstrap.sh`).
 *
 * The scenarios are TypeScript run through Backstage's own Node transform
 * (@backstage/cli), as `backstage-cli package start` runs a backend: no
 * build step and no extra dependency. The process gets --expose-gc so that
 * memory is read after a full collection.
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const result = spawnSync(
  process.execPath,
  ['--expose-gc', '--require', '@backstage/cli/config/nodeTransform.cjs', 'bench/src/main.ts', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
