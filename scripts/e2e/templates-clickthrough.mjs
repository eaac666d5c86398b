#!/usr/bin/env node
// Clicks through the four luban software templates on the Create page as a
// newcomer would, against a running `./scripts/start`: onboards a project,
// creates a Python app in it on the emulated GitHub and another on the
// emulated Azure DevOps, gives the project Dagster and adds a Dagster code
// location. Each run waits for its task page to show success and saves a
// screenshot of it under docs/templates/ (plus one of the Create page).
//
//   node scripts/e2e/templates-clickthrough.mjs [project] [--from STEP]
//
// project defaults to `orders`; the app names are derived from it
// (<project>-api, <project>-worker, <project>-pipelines). STEP is one of
// onboarding (the default), github-app, azure-app, dagster, code-location:
// the runs before it are taken as done. The stack keeps its catalog in
// memory, so a second full run against the same stack needs a new project
// name. Screenshots go to LUBAN_E2E_SHOTS when set. Uses Debian's Chromium
// (/usr/bin/chromium, or LUBAN_CHROMIUM) through playwright-core.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const { chromium } = require('playwright-core');

const APP_URL = process.env.LUBAN_APP_URL ?? 'http://localhost:3000';
const BACKEND_URL = process.env.LUBAN_BACKEND_URL ?? 'http://localhost:7007';
const SHOTS = process.env.LUBAN_E2E_SHOTS ?? join(root, 'docs', 'templates');
const GITHUB_HOST = '127.0.0.1:7013';
const AZURE_HOST = '127.0.0.1:7014';
/** How long one template run may take, from Create to success. */
const TASK_TIMEOUT_MS = 5 * 60_000;
/** How long a just-registered entity may take to appear in a picker. */
const CATALOG_TIMEOUT_MS = 3 * 60_000;

const args = process.argv.slice(2);
const fromIndex = args.indexOf('--from');
const STEPS = [
  'onboarding',
  'github-app',
  'azure-app',
  'dagster',
  'code-location',
];
const from = fromIndex >= 0 ? args.splice(fromIndex, 2)[1] : STEPS[0];
if (!STEPS.includes(from))
  throw new Error(`--from takes one of ${STEPS.join(', ')}`);
const project = args[0] ?? 'orders';
const names = {
  project,
  owner: 'payments-team',
  githubApp: `${project}-api`,
  azureApp: `${project}-worker`,
  codeLocation: `${project}-pipelines`,
};

const log = message => console.log(`[clickthrough] ${message}`);
/** Where a screenshot was saved, for the log. */
const shot = file => relative(process.cwd(), join(SHOTS, file));

/** A guest token for reading task states from the scaffolder API. */
async function guestToken() {
  const res = await fetch(
    `${BACKEND_URL}/api/auth/guest/refresh?env=development`,
    {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    },
  );
  if (!res.ok)
    throw new Error(`guest sign-in failed: ${res.status} ${await res.text()}`);
  return (await res.json()).backstageIdentity.token;
}

async function taskState(taskId) {
  const res = await fetch(`${BACKEND_URL}/api/scaffolder/v2/tasks/${taskId}`, {
    headers: { Authorization: `Bearer ${await guestToken()}` },
  });
  if (!res.ok)
    throw new Error(`task ${taskId}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function failedStepLog(taskId) {
  const res = await fetch(
    `${BACKEND_URL}/api/scaffolder/v2/tasks/${taskId}/events`,
    {
      headers: { Authorization: `Bearer ${await guestToken()}` },
    },
  );
  const events = await res.json();
  return events
    .filter(e => e.type === 'log')
    .slice(-15)
    .map(e => `  ${e.body.stepId ?? ''} ${e.body.message}`)
    .join('\n');
}

/** Opens a template from the Create page by its card title. */
async function chooseTemplate(page, title) {
  await page.goto(`${APP_URL}/create`);
  // The innermost card that holds the title: the template's own card.
  const card = page.locator('.MuiCard-root').filter({ hasText: title }).last();
  await card.getByTestId('template-card-actions--create').click();
  await page.getByRole('heading', { name: title }).waitFor();
}

/**
 * Picks an option of an Autocomplete field (EntityPicker, OwnerPicker) by
 * the text it shows (an entity's title, else its name; `preselected` is
 * what the field shows when it selected the only choice itself), reloading the form until the catalog lists it: call it before filling the
 * other fields of the step, which a reload empties.
 */
async function pickOption(page, inputSelector, option, preselected = option) {
  const deadline = Date.now() + CATALOG_TIMEOUT_MS;
  for (;;) {
    const input = page.locator(inputSelector);
    await input.waitFor();
    // A required EntityPicker with a single choice selects it and disables
    // itself once the catalog answered.
    await page.waitForTimeout(1500);
    if (await input.isDisabled()) {
      if ((await input.inputValue()).includes(preselected)) return;
    } else {
      await input.click();
      await input.fill('');
      await input.pressSequentially(option);
      const choice = page
        .getByRole('option', { name: option, exact: false })
        .first();
      // The options load from the catalog after the field opens.
      if (
        await choice.waitFor({ timeout: 5000 }).then(
          () => true,
          () => false,
        )
      ) {
        await choice.click();
        return;
      }
    }
    if (Date.now() > deadline) {
      const listed = await page.getByRole('option').allInnerTexts();
      throw new Error(
        `'${option}' is not offered by ${inputSelector}; offered: ${
          listed.join(', ') || 'nothing'
        }`,
      );
    }
    // The catalog has not processed the entity yet: a newcomer would reload the form.
    log(`  waiting for ${option} in the catalog...`);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(5000);
    await page.reload();
    await page.locator(inputSelector).waitFor();
  }
}

/** Fills the RepoUrlPicker: GitHub (owner, repository) or Azure DevOps (organization, project, repository). */
async function fillRepository(page, repo) {
  await page.locator('select').first().selectOption(repo.host);
  // Owner and repository name are Autocomplete fields; Azure DevOps's organization and project are plain ones.
  const autocomplete = label => page.getByLabel(label);
  if (repo.host === AZURE_HOST) {
    await page.locator('#orgInput').fill(repo.organization);
    await page.locator('#projectInput').fill(repo.project);
  } else {
    await autocomplete('Organization or user on the git host').fill(repo.owner);
  }
  await autocomplete('Repository name').fill(repo.name);
  // Autocomplete fields commit their typed value when they lose focus.
  await page.keyboard.press('Tab');
}

/** Goes from the last form step through Review to Create, waits for the task to succeed and screenshots it. */
async function runTask(page, screenshot) {
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/create\/tasks\/[^/]+$/, { timeout: 30_000 });
  const taskId = page.url().split('/').pop();
  log(`  task ${taskId}`);
  const deadline = Date.now() + TASK_TIMEOUT_MS;
  let task = await taskState(taskId);
  while (!['completed', 'failed', 'cancelled'].includes(task.status)) {
    if (Date.now() > deadline)
      throw new Error(
        `task ${taskId} is still ${task.status} after ${
          TASK_TIMEOUT_MS / 1000
        } s`,
      );
    await page.waitForTimeout(2000);
    task = await taskState(taskId);
  }
  if (task.status !== 'completed') {
    await page.screenshot({
      path: join(SHOTS, screenshot.replace(/\.png$/, '-failed.png')),
    });
    throw new Error(
      `task ${taskId} ${task.status}:\n${await failedStepLog(taskId)}`,
    );
  }
  // The page shows the output (links and text) once it knows the task finished.
  await page
    .getByText(/What (was created|happens next)/)
    .first()
    .waitFor({ timeout: 30_000 });
  await page.waitForTimeout(1000);
  await page.screenshot({ path: join(SHOTS, screenshot) });
  // The output's links (the buttons between the steps and the text).
  const links = await page.locator('a').evaluateAll(anchors =>
    anchors
      .map(a => ({
        text: a.innerText
          .replace(/\s+/g, ' ')
          .replace(/, Opens in a new window$/, '')
          .trim(),
        href: a.getAttribute('href'),
      }))
      .filter(
        ({ text, href }) =>
          text &&
          href &&
          !href.startsWith('#') &&
          text === text.toUpperCase() &&
          text !== href,
      )
      .map(({ text, href }) => `${text}: ${href}`),
  );
  log(`  succeeded; screenshot ${shot(screenshot)}`);
  return { taskId, links };
}

async function onboardProject(page) {
  log(
    `Onboard a luban project: ${names.project}, owned by ${names.owner}, GitOps on ${GITHUB_HOST}`,
  );
  await chooseTemplate(page, 'Onboard a luban project');
  await page.locator('#root_project').fill(names.project);
  await pickOption(page, '#root_owner', names.owner);
  await page
    .locator('#root_description')
    .fill(`Takes and tracks customer ${names.project}.`);
  await page.getByRole('button', { name: 'Next' }).click();
  await fillRepository(page, {
    host: GITHUB_HOST,
    owner: names.project,
    name: `${names.project}-gitops`,
  });
  return runTask(page, 'project-onboarding-task.png');
}

async function createPythonApp(page, app, repo, screenshot) {
  log(
    `Python web service (uv): ${app} in ${names.project}, source on ${repo.host}`,
  );
  await chooseTemplate(page, 'Python web service (uv)');
  await pickOption(page, '#root_project', names.project);
  await page.locator('#root_app').fill(app);
  await page
    .locator('#root_description')
    .fill(`The ${app} of the ${names.project} project.`);
  await page.getByRole('button', { name: 'Next' }).click();
  await fillRepository(page, { ...repo, name: app });
  return runTask(page, screenshot);
}

async function addDagster(page) {
  log(`Dagster for a project: ${names.project}`);
  await chooseTemplate(page, 'Dagster for a project');
  await pickOption(page, '#root_project', names.project);
  return runTask(page, 'dagster-platform-task.png');
}

async function addCodeLocation(page) {
  log(
    `Dagster code location: ${names.codeLocation} in ${names.project}'s Dagster, source on ${GITHUB_HOST}`,
  );
  await chooseTemplate(page, 'Dagster code location');
  // The platform's Resource is titled after the project.
  await pickOption(
    page,
    '#root_platform',
    `Dagster of ${names.project}`,
    `resource:default/${names.project}-dagster`,
  );
  await page.locator('#root_app').fill(names.codeLocation);
  await page
    .locator('#root_description')
    .fill(`Daily ${names.project} revenue, as Dagster assets.`);
  await page.getByRole('button', { name: 'Next' }).click();
  await fillRepository(page, {
    host: GITHUB_HOST,
    owner: names.project,
    name: names.codeLocation,
  });
  return runTask(page, 'dagster-code-location-task.png');
}

mkdirSync(SHOTS, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.LUBAN_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const results = {};
try {
  const page = await browser.newPage({
    viewport: { width: 1400, height: 900 },
  });
  page.setDefaultTimeout(30_000);
  await page.goto(`${APP_URL}/create`);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('heading', { name: 'Templates' }).waitFor();
  await page.getByText('Onboard a luban project').waitFor();
  await page.screenshot({ path: join(SHOTS, 'create-page.png') });
  log(`Create page: ${shot('create-page.png')}`);

  const runs = {
    onboarding: () => onboardProject(page),
    'github-app': () =>
      createPythonApp(
        page,
        names.githubApp,
        { host: GITHUB_HOST, owner: names.project },
        'python-app-task.png',
      ),
    // The emulated Azure DevOps has the organization luban with a project platform.
    'azure-app': () =>
      createPythonApp(
        page,
        names.azureApp,
        { host: AZURE_HOST, organization: 'luban', project: 'platform' },
        'python-app-azure-task.png',
      ),
    dagster: () => addDagster(page),
    'code-location': () => addCodeLocation(page),
  };
  for (const step of STEPS.slice(STEPS.indexOf(from)))
    results[step] = await runs[step]();
} catch (error) {
  // Show where it stopped.
  const [page] = browser.contexts().flatMap(context => context.pages());
  if (page)
    await page
      .screenshot({ path: join(SHOTS, 'failed.png') })
      .catch(() => undefined);
  log(`stopped at ${page?.url()} (screenshot ${shot('failed.png')})`);
  throw error;
} finally {
  await browser.close();
}
for (const [name, { taskId, links }] of Object.entries(results)) {
  log(`${name}: task ${taskId}`);
  for (const link of links) log(`    ${link}`);
}
log('all templates succeeded');
