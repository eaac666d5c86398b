/**
 * Branch policies for `git push` over smart HTTP. Azure DevOps refuses an
 * update of a guarded branch per ref, in the push report:
 * `! [remote rejected] main -> main (TF402455: Pushes to this branch are not
 * permitted; you must use a pull request to update this branch.)`.
 * A pre-receive hook can only make git say "pre-receive hook declined", so
 * the refusal goes through git's `proc-receive` hook, which reports
 * `ng <ref> <reason>` itself: `receive.procReceiveRefs` hands it the updates
 * and deletions (`md:`) of guarded refs; creations never reach it, as the
 * service checks policies only for a ref that exists.
 */
import { randomUUID } from 'node:crypto';
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PUSH_REJECTED_BY_POLICY } from './errors';
import { readConfig, writeConfig } from './gitTrees';
import type { GuardedRef } from './policies';

const RULES_FILE = 'emulator-branch-policies';
const CONFIG_FILE = 'emulator-branch-policies.config';
const HOOK_SCRIPT = 'emulator-proc-receive.cjs';

/**
 * The proc-receive hook (git's pkt-line protocol, version 1). A ref it is
 * handed that no rule guards (a prefix rule hands it a whole folder) is
 * updated by the hook itself, compare-and-set, as receive-pack would.
 */
const HOOK_SOURCE = `'use strict';
const fs = require('fs');
const { execFileSync } = require('child_process');
const reason = ${JSON.stringify(PUSH_REJECTED_BY_POLICY)};
function read(n) {
  const buf = Buffer.alloc(n);
  for (let off = 0; off < n; ) {
    const r = fs.readSync(0, buf, off, n - off, null);
    if (r === 0) throw new Error('unexpected end of input');
    off += r;
  }
  return buf;
}
function packet() {
  const length = parseInt(read(4).toString('latin1'), 16);
  return length === 0 ? null : read(length - 4).toString('utf8').replace(/\\n$/, '');
}
function section() {
  const lines = [];
  for (let line = packet(); line !== null; line = packet()) lines.push(line);
  return lines;
}
function write(line) {
  const data = Buffer.from(line + '\\n');
  fs.writeSync(1, (data.length + 4).toString(16).padStart(4, '0'));
  fs.writeSync(1, data);
}
section();
write('version=1');
fs.writeSync(1, '0000');
const rules = fs
  .readFileSync(${JSON.stringify(RULES_FILE)}, 'utf8')
  .split('\\n')
  .filter(Boolean)
  .map(line => line.split(' '));
const zero = /^0+$/;
for (const command of section()) {
  const [oldId, newId, ref] = command.split(' ');
  const guarded = rules.some(([kind, name]) => (kind === 'prefix' ? ref.startsWith(name) : ref === name));
  if (guarded) {
    write('ng ' + ref + ' ' + reason);
    continue;
  }
  try {
    const args = zero.test(newId) ? ['update-ref', '-d', ref, oldId] : ['update-ref', ref, newId, oldId];
    execFileSync('git', args, { stdio: 'ignore' });
    write('ok ' + ref);
  } catch {
    write('ng ' + ref + ' failed to update ref');
  }
}
fs.writeSync(1, '0000');
`;

/** The `receive.procReceiveRefs` entry of a rule: git matches whole path components. */
function procReceiveRef(rule: GuardedRef): string {
  if (rule.kind === 'exact') return rule.ref;
  return rule.ref.endsWith('/')
    ? rule.ref.slice(0, -1)
    : rule.ref.slice(0, rule.ref.lastIndexOf('/'));
}

/** Replaces a file in one step: a concurrent push reads the old or the new rules, never half. */
async function replaceFile(path: string, content: string, mode = 0o644) {
  const temporary = `${path}.${randomUUID()}`;
  // Created with its mode: a push running meanwhile never finds the hook there but not executable.
  await writeFile(temporary, content, { mode });
  await rename(temporary, path);
}

async function exists(path: string) {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Brings a bare repository's push checks in line with the branch policies
 * that guard it. A repository no policy ever guarded is left as it is.
 */
export async function applyBranchPolicies(
  gitDir: string,
  rules: GuardedRef[],
): Promise<void> {
  const config = join(gitDir, CONFIG_FILE);
  if (rules.length === 0 && !(await exists(config))) return;
  await mkdir(join(gitDir, 'hooks'), { recursive: true });
  const hook = join(gitDir, 'hooks', 'proc-receive');
  await replaceFile(join(gitDir, 'hooks', HOOK_SCRIPT), HOOK_SOURCE);
  await replaceFile(
    hook,
    `#!/bin/sh\nexec '${process.execPath}' "$(dirname "$0")/${HOOK_SCRIPT}"\n`,
    0o755,
  );
  await replaceFile(
    join(gitDir, RULES_FILE),
    rules.map(r => `${r.kind} ${r.ref}\n`).join(''),
  );
  const entries = [...new Set(rules.map(procReceiveRef))];
  await replaceFile(
    config,
    entries.length
      ? `[receive]\n${entries
          .map(e => `\tprocReceiveRefs = md:${e}\n`)
          .join('')}`
      : '',
  );
  // An include keeps the repository's own config (its ids) out of these rewrites.
  if ((await readConfig(gitDir, 'include.path')) !== CONFIG_FILE)
    await writeConfig(gitDir, 'include.path', CONFIG_FILE);
}
