import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEMO, trustEmulatorCertificate } from '@luban-backstage/emulator';
import { chromium, type Page } from 'playwright-core';
import { SourceMapConsumer } from 'source-map-js';
import { addFinishedBuilds, pause, type BenchOptions, type Section } from './fixtures';
import { ms, summarize } from './stats';

const ROOT = resolve(__dirname, '../..');
const APP_DIST = join(ROOT, 'packages/app/dist/static');
const BASE_URL = 'http://localhost:7007';
const BUILDS = 200;
const APP = 'bench-builds';
/** The plugin's own sources in the app's source maps: the frontend plugin and what it takes from luban-common. */
const LUBAN_SOURCE = /\/plugins\/luban(-common)?\/src\//;

const yarn = (args: string[], cwd = ROOT) =>
  spawnSync(process.execPath, [join(ROOT, '.yarn/releases', readdirSync(join(ROOT, '.yarn/releases'))[0]), ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/**
 * What the app's production bundle holds of luban: the bytes of every chunk
 * that its source map attributes to luban's sources, minified and then
 * gzipped together, and the chunks the CI and Delivery tabs load (with the
 * framework code they share with other plugins).
 */
async function bundleShare() {
  let lubanCode = '';
  let chunksWithLuban = 0;
  let chunksWithLubanGzip = 0;
  let appGzip = 0;
  for (const file of readdirSync(APP_DIST).filter(name => name.endsWith('.js'))) {
    const code = readFileSync(join(APP_DIST, file), 'utf8');
    const gzipped = gzipSync(code).length;
    appGzip += gzipped;
    const mapFile = join(APP_DIST, `${file}.map`);
    if (!existsSync(mapFile)) continue;
    const map = JSON.parse(readFileSync(mapFile, 'utf8'));
    if (!map.sources.some((source: string) => LUBAN_SOURCE.test(source))) continue;
    chunksWithLuban++;
    chunksWithLubanGzip += gzipped;
    // Each mapped segment runs to the next one: attribute its bytes to its source.
    const lines = code.split('\n');
    const segments: Array<{ line: number; column: number; source: string | null }> = [];
    new SourceMapConsumer(map).eachMapping(m => segments.push({ line: m.generatedLine, column: m.generatedColumn, source: m.source }));
    segments.sort((a, b) => a.line - b.line || a.column - b.column);
    segments.forEach((segment, index) => {
      if (!segment.source || !LUBAN_SOURCE.test(segment.source)) return;
      const next = segments[index + 1];
      const text = lines[segment.line - 1] ?? '';
      lubanCode += text.slice(segment.column, next && next.line === segment.line ? next.column : text.length);
    });
  }
  return { minified: Buffer.byteLength(lubanCode), gzip: gzipSync(lubanCode).length, chunksWithLuban, chunksWithLubanGzip, appGzip };
}

function waitForExit(child: ChildProcess) {
  return new Promise<void>(done => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
}

async function stop(child: ChildProcess | undefined) {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  await Promise.race([waitForExit(child), pause(10_000)]);
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve().then(check).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(500);
  }
}

/** Opens an entity's CI tab and waits until its builds table has every row. */
async function openBuilds(page: Page, entity: string, rows: number): Promise<number> {
  const started = performance.now();
  await page.goto(`${BASE_URL}/catalog/default/component/${entity}/ci`);
  await page.waitForFunction(
    count => document.querySelectorAll('table[aria-label^="Builds of the kpack Image"] tbody tr').length >= count,
    rows,
    { timeout: 60_000, polling: 'raf' },
  );
  return performance.now() - started;
}

/**
 * (e) The frontend: how much of the app's bundle is luban, and how long the
 * CI tab takes to show 200 builds in headless Chromium, against the same tab
 * with the demo's 2 builds. The production app is served by the real
 * backend (packages/backend) against the emulator, as `scripts/test-e2e`
 * runs it; needs ports 7007 and 7011-7014 free and Debian's chromium.
 */
export async function benchFrontend(options: BenchOptions): Promise<Section> {
  const chromiumPath = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (install Debian's chromium)`);
  const built = yarn(['workspace', 'app', 'build']);
  if (built.status !== 0) throw new Error(`the app did not build: ${built.stderr.slice(-2000)}`);
  const bundle = await bundleShare();

  const stateDir = join(ROOT, '.luban-emulator');
  const work = mkdtempSync(join(tmpdir(), 'luban-bench-frontend-'));
  let emulator: ChildProcess | undefined;
  let backend: ChildProcess | undefined;
  try {
    rmSync(join(stateDir, 'kubeconfig'), { force: true });
    emulator = spawn(
      process.execPath,
      ['packages/emulator/bin/luban-emulator', '--state-dir', stateDir, '--kubernetes-port', '7011', '--harbor-port', '7012', '--github-port', '7013', '--azure-port', '7014', '--seed'],
      { cwd: ROOT, detached: true, stdio: 'ignore' },
    );
    await waitFor('the emulator', () => existsSync(join(stateDir, 'kubeconfig')), 60_000);
    const token = readFileSync(join(stateDir, 'token'), 'utf8').trim();
    const ca = readFileSync(join(stateDir, 'ca.crt'), 'utf8');
    trustEmulatorCertificate(ca);
    await addFinishedBuilds({ url: 'https://127.0.0.1:7011', token }, APP, BUILDS);

    // The app with the 200 builds in the catalog, next to the demo's.
    const entityFile = join(work, 'bench-builds.yaml');
    writeFileSync(
      entityFile,
      `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${APP}
  annotations:
    luban.dev/project: ${DEMO.project}
    luban.dev/app: ${APP}
    luban.dev/source-repo: http://127.0.0.1:7013/${DEMO.project}/${DEMO.app}
    luban.dev/gitops-repo: http://127.0.0.1:7013/${DEMO.project}/${DEMO.project}-gitops
spec:
  type: service
  lifecycle: production
  owner: group:default/payments-team
`,
    );
    const configFile = join(work, 'app-config.bench.yaml');
    writeFileSync(
      configFile,
      `catalog:
  locations:
    - { type: file, target: ${join(ROOT, 'catalog-info.yaml')} }
    - { type: file, target: ${entityFile} }
luban:
  gitops:
    autoDeploy: 'off'
`,
    );
    const caBundle = join(work, 'ca-bundle.crt');
    writeFileSync(caBundle, `${existsSync('/etc/ssl/certs/ca-certificates.crt') ? readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8') : ''}\n${ca}`);
    backend = spawn(
      process.execPath,
      [join(ROOT, '.yarn/releases', readdirSync(join(ROOT, '.yarn/releases'))[0]), 'backstage-cli', 'package', 'start', '--config', '../../app-config.yaml', '--config', configFile],
      {
        cwd: join(ROOT, 'packages/backend'),
        detached: true,
        stdio: 'ignore',
        env: {
          ...process.env,
          APP_CONFIG_app_baseUrl: BASE_URL,
          LUBAN_EMULATOR_TOKEN: token,
          // luban refuses to start with a webhook secret shorter than 32 characters.
          LUBAN_WEBHOOK_SECRET: 'bench-webhook-secret-'.padEnd(48, '0'),
          NODE_EXTRA_CA_CERTS: caBundle,
        },
      },
    );
    await waitFor('the backend', async () => (await fetch(`${BASE_URL}/.backstage/health/v1/readiness`)).ok, 180_000);

    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(BASE_URL);
      // Development sign-in (app-config.yaml): a member of the demo app's team.
      await page.getByRole('button', { name: 'Sign in as Paula (payments-team)' }).click();
      await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor({ timeout: 60_000 });
      // The catalog reads the bench entity in the background.
      await waitFor(`the catalog entity ${APP}`, async () => (await openBuilds(page, APP, BUILDS)) > 0, 120_000);
      await openBuilds(page, DEMO.app, 2);

      const runs = Math.max(5, Math.min(options.views, 20));
      const many: number[] = [];
      const few: number[] = [];
      for (let i = 0; i < runs; i++) {
        many.push(await openBuilds(page, APP, BUILDS));
        few.push(await openBuilds(page, DEMO.app, 2));
      }
      const timings = { many: summarize(many), few: summarize(few) };
      return {
        title: `(e) Frontend: bundle share and the CI tab with ${BUILDS} builds in headless Chromium`,
        rows: [
          {
            scenario: 'e',
            metric: "luban's code in the app bundle",
            luban: `${kib(bundle.gzip)} gzip (${kib(bundle.minified)} minified)`,
            baseline: `${kib(bundle.appGzip)} gzip: the whole app`,
            target: '',
            note: `the ${bundle.chunksWithLuban} lazily loaded chunks that hold luban code weigh ${kib(bundle.chunksWithLubanGzip)} gzip with the Material UI and Backstage code they share with other pages`,
          },
          {
            scenario: 'e',
            metric: `CI tab until all rows render, p50 / p95 (n=${runs})`,
            luban: `${ms(timings.many.p50)} / ${ms(timings.many.p95)} (${BUILDS} builds)`,
            baseline: `${ms(timings.few.p50)} / ${ms(timings.few.p95)} (2 builds)`,
            target: '',
            note: `a full page load of /catalog/default/component/…/ci (the app's chunks cached) until the builds table has every row; the difference between ${BUILDS} rows and 2 at p50 is ${ms(Math.abs(timings.many.p50 - timings.few.p50))} (${timings.many.p50 >= timings.few.p50 ? 'slower' : 'faster'}): the page's own start dominates`,
          },
        ],
        notes: [
          "Bundle: `yarn workspace app build` (rspack, production), every chunk's bytes attributed to luban's sources (plugins/luban and plugins/luban-common) through its source map, concatenated and gzipped. " +
            `Render: the production app served by packages/backend against the emulator, signed in as Paula of payments-team (development sign-in), in Debian's Chromium (headless); the catalog entity ${APP} has ${BUILDS} finished kpack Builds.`,
        ],
      };
    } finally {
      await browser.close();
    }
  } finally {
    await stop(backend);
    await stop(emulator);
    rmSync(work, { recursive: true, force: true });
  }
}
