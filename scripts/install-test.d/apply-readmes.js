#!/usr/bin/env node
/*
 * Applies the installation steps of the plugin READMEs to a fresh Backstage
 * app, literally: every fenced code block that follows an
 * `<!-- install-test: VERB [PATH] -->` comment is one step.
 *
 *   run             sh lines: `yarn --cwd DIR add PKG…` (luban packages come from
 *                   the packed tarballs, others at the version this repository
 *                   uses) and `cp -r luban-backstage/SRC DEST`
 *   add-to FILE     import lines go below the file's imports, the other lines
 *                   before `backend.start();`
 *   remove FILE     the block's code is removed (whitespace-insensitive)
 *   file FILE       the block becomes a new file (type-checked with the app)
 *   config FILE     the YAML block is merged in (maps merged, lists appended)
 *
 * A step it cannot apply fails the installation test: the README must then be
 * fixed, not this script.
 *
 * Usage: apply-readmes.js APP_DIR TARBALL_DIR README…
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const repoRoot = path.resolve(__dirname, '..', '..');
const [appDir, tarballDir, ...readmes] = process.argv.slice(2);
if (!appDir || !tarballDir || readmes.length === 0) {
  console.error('usage: apply-readmes.js APP_DIR TARBALL_DIR README…');
  process.exit(2);
}

class StepError extends Error {}

/** The steps of one README, in order. */
function stepsOf(readme) {
  const text = fs.readFileSync(readme, 'utf8');
  const marker =
    /<!-- install-test: ([a-z-]+)(?: (\S+))? -->\s*\n```[a-z]*\n([\s\S]*?)\n```/g;
  const steps = [];
  for (const match of text.matchAll(marker)) {
    const line = text.slice(0, match.index).split('\n').length;
    steps.push({
      verb: match[1],
      target: match[2],
      code: match[3],
      where: `${path.relative(repoRoot, readme)}:${line}`,
    });
  }
  return steps;
}

/** The version range this repository uses for a registry package. */
function repositoryRange(name) {
  const manifests = ['package.json'];
  for (const dir of ['packages', 'plugins']) {
    for (const entry of fs.readdirSync(path.join(repoRoot, dir))) {
      manifests.push(path.join(dir, entry, 'package.json'));
    }
  }
  for (const manifest of manifests) {
    const file = path.join(repoRoot, manifest);
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    const range = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
    if (range && !range.startsWith('workspace:')) return range;
  }
  return undefined;
}

/** The packed tarball of a luban package (tarballs/index.json of scripts/install-test). */
function tarballOf(name) {
  const file = JSON.parse(
    fs.readFileSync(path.join(tarballDir, 'index.json'), 'utf8'),
  )[name];
  if (!file) {
    throw new StepError(`${name} is not one of the packed luban packages`);
  }
  return `file:${file}`;
}

function run(step) {
  for (const raw of step.code.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const add = /^yarn --cwd (\S+) add ((?:\S+ ?)+)$/.exec(line);
    const copy = /^cp -r luban-backstage\/(\S+) (\S+)$/.exec(line);
    if (add) {
      const manifest = path.join(appDir, add[1], 'package.json');
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      for (const name of add[2].trim().split(/\s+/)) {
        const range = name.startsWith('@luban-backstage/')
          ? tarballOf(name)
          : repositoryRange(name);
        if (!range) {
          throw new StepError(
            `${name} is not a dependency of any package of this repository, so its version is unknown`,
          );
        }
        pkg.dependencies = { ...pkg.dependencies, [name]: range };
      }
      pkg.dependencies = Object.fromEntries(
        Object.entries(pkg.dependencies).sort(([a], [b]) => a.localeCompare(b)),
      );
      fs.writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
    } else if (copy) {
      fs.cpSync(path.join(repoRoot, copy[1]), path.join(appDir, copy[2]), {
        recursive: true,
      });
    } else {
      throw new StepError(`cannot run '${line}'`);
    }
  }
}

function addTo(step) {
  const file = path.join(appDir, step.target);
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const imports = [];
  const body = [];
  let inImport = false;
  for (const line of step.code.split('\n')) {
    if (line.startsWith('import ') || inImport) {
      imports.push(line);
      inImport = !line.trimEnd().endsWith(';');
    } else if (line.trim() && !line.trim().startsWith('// ...')) {
      body.push(line);
    }
  }
  let lastImport = -1;
  lines.forEach((line, index) => {
    if (/^import |^} from '/.test(line)) lastImport = index;
  });
  lines.splice(lastImport + 1, 0, ...imports);
  const start = lines.findIndex(line => line.trim() === 'backend.start();');
  if (body.length > 0 && start < 0) {
    throw new StepError(
      `${step.target} has no 'backend.start();' to add lines before`,
    );
  }
  lines.splice(start, 0, ...body, '');
  fs.writeFileSync(file, lines.join('\n'));
}

function remove(step) {
  const file = path.join(appDir, step.target);
  const text = fs.readFileSync(file, 'utf8');
  const pattern = new RegExp(
    `${[...step.code.replace(/\s+/g, '')]
      .map(c => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('\\s*')}\\n?`,
  );
  if (!pattern.test(text)) {
    throw new StepError(`${step.target} does not contain the code to remove`);
  }
  fs.writeFileSync(file, text.replace(pattern, ''));
}

function file(step) {
  const target = path.join(appDir, step.target);
  if (fs.existsSync(target)) {
    throw new StepError(`${step.target} exists already`);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${step.code}\n`);
}

function mergeInto(doc, keyPath, value) {
  const existing = keyPath.length ? doc.getIn(keyPath, true) : doc.contents;
  if (
    YAML.isMap(existing) &&
    value &&
    typeof value === 'object' &&
    !Array.isArray(value)
  ) {
    for (const [key, child] of Object.entries(value)) {
      mergeInto(doc, [...keyPath, key], child);
    }
  } else if (YAML.isSeq(existing) && Array.isArray(value)) {
    for (const item of value) doc.addIn(keyPath, doc.createNode(item));
  } else {
    doc.setIn(keyPath, doc.createNode(value));
  }
}

function config(step) {
  const target = path.join(appDir, step.target);
  const doc = YAML.parseDocument(fs.readFileSync(target, 'utf8'));
  mergeInto(doc, [], YAML.parse(step.code));
  fs.writeFileSync(target, doc.toString());
}

const verbs = { run, 'add-to': addTo, remove, file, config };
let applied = 0;
for (const readme of readmes) {
  for (const step of stepsOf(readme)) {
    const apply = verbs[step.verb];
    try {
      if (!apply) throw new StepError(`unknown step '${step.verb}'`);
      apply(step);
    } catch (error) {
      console.error(
        `install-test: README step at ${step.where} (${step.verb}${
          step.target ? ` ${step.target}` : ''
        }) failed: ${error.message}`,
      );
      process.exit(1);
    }
    console.log(
      `  applied ${step.where}: ${step.verb}${
        step.target ? ` ${step.target}` : ''
      }`,
    );
    applied += 1;
  }
}
console.log(`  ${applied} README steps applied`);
