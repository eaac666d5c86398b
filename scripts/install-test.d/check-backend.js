#!/usr/bin/env node
/*
 * Asks a running Backstage backend what a platform engineer would check after
 * following the luban READMEs, and prints what it found:
 *
 *   - GET /api/luban/health answers without a token;
 *   - the scaffolder lists every action of the scaffolder module's README;
 *   - the catalog has the luban software templates;
 *   - the luban routes answer for a luban app (builds, what runs where) from
 *     the platform (the emulator);
 *   - the webhooks endpoint refuses an unsigned push;
 *   - the backend serves the app.
 *
 * Usage: check-backend.js BASE_URL SCAFFOLDER_README TEMPLATES_DIR ENTITY_REF
 * Exits non-zero on the first check that fails.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const [baseUrl, scaffolderReadme, templatesDir, entityRef] =
  process.argv.slice(2);
const WAIT_MS = 120_000;

function fail(message) {
  console.error(`FAILED: ${message}`);
  process.exit(1);
}

async function get(pathname, token, init = {}) {
  const response = await fetch(`${baseUrl}${pathname}`, {
    ...init,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    },
  });
  const text = await response.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // text/html or text/plain
  }
  return { status: response.status, body, text };
}

/** Retries `probe` until it returns a value, or fails with what it last saw. */
async function waitFor(what, probe) {
  const deadline = Date.now() + WAIT_MS;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      fail(
        `${what} within ${WAIT_MS / 1000} s${last ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}

function readmeActions() {
  const text = fs.readFileSync(scaffolderReadme, 'utf8');
  return [...text.matchAll(/^\|\s*`(luban:[a-z:-]+)`\s*\|/gm)].map(m => m[1]);
}

function templateNames() {
  return fs
    .readdirSync(templatesDir)
    .map(dir => path.join(templatesDir, dir, 'template.yaml'))
    .filter(file => fs.existsSync(file))
    .map(file => YAML.parse(fs.readFileSync(file, 'utf8')).metadata.name)
    .sort();
}

async function main() {
  const started = Date.now();
  const health = await waitFor(
    'GET /api/luban/health to answer 200',
    async () => {
      const r = await get('/api/luban/health');
      return r.status === 200 ? r.body : undefined;
    },
  );
  console.log(
    `  /api/luban/health: ${health.status}, version ${
      health.version
    } (backend up ${Math.round(
      (Date.now() - started) / 1000,
    )} s after the first try)`,
  );

  const refresh = await get(
    '/api/auth/guest/refresh?env=development',
    undefined,
    {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    },
  );
  const token = refresh.body?.backstageIdentity?.token;
  if (!token)
    fail(`no guest token: ${refresh.status} ${refresh.text.slice(0, 300)}`);
  console.log(
    `  guest sign-in: ${refresh.body.backstageIdentity.identity.userEntityRef}`,
  );

  const actions = await get('/api/scaffolder/v2/actions', token);
  if (actions.status !== 200)
    fail(`GET /api/scaffolder/v2/actions: ${actions.status}`);
  const registered = new Set(actions.body.map(a => a.id));
  const documented = readmeActions();
  const missing = documented.filter(id => !registered.has(id));
  const undocumented = [...registered].filter(
    id => id.startsWith('luban:') && !documented.includes(id),
  );
  if (documented.length === 0)
    fail('the scaffolder README lists no luban:* action');
  if (missing.length)
    fail(
      `actions in the README but not in the scaffolder: ${missing.join(', ')}`,
    );
  if (undocumented.length)
    fail(`luban actions missing from the README: ${undocumented.join(', ')}`);
  console.log(
    `  scaffolder actions: ${documented.length} luban actions of ${
      registered.size
    }: ${documented.join(' ')}`,
  );

  const expectedTemplates = templateNames();
  const templates = await waitFor(
    'the luban templates to be in the catalog',
    async () => {
      const r = await get(
        '/api/catalog/entities/by-query?filter=kind=template&limit=100',
        token,
      );
      if (r.status !== 200) throw new Error(`catalog answered ${r.status}`);
      const names = r.body.items.map(e => e.metadata.name);
      return expectedTemplates.every(n => names.includes(n))
        ? names
        : undefined;
    },
  );
  console.log(
    `  catalog templates: ${expectedTemplates.join(' ')} (of ${
      templates.length
    })`,
  );

  const [kind, rest] = entityRef.split(':');
  const [namespace, name] = rest.split('/');
  const entityPath = `/api/luban/entities/${kind}/${namespace}/${name}`;
  const builds = await waitFor(
    `GET ${entityPath}/builds to list builds`,
    async () => {
      const r = await get(`${entityPath}/builds`, token);
      if (r.status !== 200)
        throw new Error(
          `${r.status} ${r.body?.error?.message ?? r.text.slice(0, 200)}`,
        );
      return r.body.builds.length > 0 ? r.body : undefined;
    },
  );
  console.log(
    `  ${entityPath}/builds: image ${builds.image} on ${builds.cluster}, ${
      builds.builds.length
    } builds: ${builds.builds.map(b => `#${b.number} ${b.status}`).join(', ')}`,
  );

  const promotion = await get(`${entityPath}/promotion`, token);
  if (promotion.status !== 200) {
    fail(
      `GET ${entityPath}/promotion: ${promotion.status} ${
        promotion.body?.error?.message ?? ''
      }`,
    );
  }
  console.log(
    `  ${entityPath}/promotion: ${promotion.body.environments
      .map(
        e =>
          `${e.name} runs ${e.digest ? e.digest.slice(0, 19) : 'nothing'}${
            e.argoCd ? ` (${e.argoCd.syncStatus}/${e.argoCd.healthStatus})` : ''
          }`,
      )
      .join(', ')}`,
  );

  const unsigned = await get('/api/events/http/luban-github', undefined, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push' },
    body: '{}',
  });
  if (unsigned.status !== 401) {
    fail(
      `an unsigned push to /api/events/http/luban-github got ${unsigned.status}, not 401`,
    );
  }
  console.log(
    `  /api/events/http/luban-github: an unsigned push is refused (401 ${
      unsigned.body?.message ?? ''
    })`,
  );

  const app = await get('/');
  if (app.status !== 200 || !/<html/i.test(app.text))
    fail(`GET / did not serve the app: ${app.status}`);
  console.log('  /: the backend serves the built app');
}

main().catch(error => fail(error.stack ?? String(error)));
