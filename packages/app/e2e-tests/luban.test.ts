import { expect, test, type Page } from '@playwright/test';
import { screenshot } from './screenshots';
import { signedInAs, setTheme, writeStatuses } from './signIn';

/*
 * The entity page of the demo app against the emulator, as a member of its
 * owning team (Paula, of payments-team) and through an entity of another team. The tests run in
 * order on one backend: the rebuild feeds the promotion and the rollback.
 */
test.describe.configure({ mode: 'serial' });
test.use(signedInAs('paula'));

const DEMO = '/catalog/default/component/ledger-api';
/** The same app, owned by the platform team (packages/app/e2e-tests/fixtures). */
const NOT_OWNED = '/catalog/default/component/ledger-api-platform-view';

function buildsTable(page: Page) {
  return page.getByRole('table', { name: /^Builds of the kpack Image/ });
}

function environments(page: Page) {
  return page.getByRole('table', {
    name: /^Environments of .+, in promotion order$/,
  });
}

function environmentRow(page: Page, name: string) {
  return environments(page)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name }) });
}

test('the CI tab lists the demo builds', async ({ page }) => {
  await page.goto(`${DEMO}/ci`);

  const table = buildsTable(page);
  await expect(table.getByRole('link', { name: 'Build #2' })).toBeVisible();
  await expect(table.getByRole('link', { name: 'Build #1' })).toBeVisible();
  await expect(table).toContainText('COMMIT');
  await expect(
    table.getByRole('link', { name: /^Commit [0-9a-f]{7}/ }).first(),
  ).toBeVisible();
  await screenshot(page, 'builds-tab');
});

test('Rebuild starts a build whose log lines arrive while it runs', async ({
  page,
}) => {
  await page.goto(`${DEMO}/ci`);
  const table = buildsTable(page);
  await expect(table.getByRole('link', { name: 'Build #2' })).toBeVisible();

  await page.getByRole('button', { name: 'Rebuild' }).click();
  await expect(page.getByText(/Rebuild requested from build/)).toBeVisible();
  await table.getByRole('link', { name: 'Build #3' }).click();

  await expect(
    page.getByRole('heading', { level: 2, name: 'Build #3' }),
  ).toBeVisible();
  // While the build runs, the page follows the whole build: every step in
  // order under its header, not one step's lines at a time.
  const log = page.getByRole('log', { name: 'Log of build #3, all steps' });
  await expect(log).toContainText('--- prepare ---');
  const first = (await log.textContent()) ?? '';
  await expect
    .poll(async () => (await log.textContent()) ?? '', { timeout: 30_000 })
    .not.toBe(first);
  await expect(log.locator('[data-current-step]').first()).toBeVisible();
  // Once the build is done, the same log holds every step.
  await expect(log).toContainText('--- completion ---', { timeout: 60_000 });
  await expect(log).toContainText('--- build ---');
  await page.getByRole('combobox', { name: 'Step' }).selectOption('export');
  const exportLog = page.getByRole('log', {
    name: 'Log of build #3, step export',
  });
  await expect(exportLog).toContainText('*** Digest: sha256:');
  // The page scrolls inside its own container: bring the log into the picture.
  await exportLog.scrollIntoViewIfNeeded();
  await screenshot(page, 'build-logs');
});

test('Promote opens a pull request once snd runs the new build', async ({
  page,
}) => {
  await page.goto(`${DEMO}/delivery`);

  // luban deployed build 3 to snd on its own; Argo CD syncs it.
  const snd = environmentRow(page, 'snd');
  await expect(
    snd.getByRole('link', { name: 'Build #3 in the Builds tab' }),
  ).toBeVisible({ timeout: 60_000 });
  await expect(snd).toContainText('Synced', { timeout: 60_000 });
  await expect(snd).toContainText('Healthy', { timeout: 60_000 });
  await expect(environmentRow(page, 'prd')).toContainText(/behind snd/i);
  await screenshot(page, 'delivery-light');

  await environmentRow(page, 'prd')
    .getByRole('button', { name: 'Promote snd → prd' })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Promote snd → prd' });
  await expect(dialog).toContainText('snd is Synced');
  const open = dialog.getByRole('button', { name: 'Open pull request' });
  await expect(open).toBeEnabled();
  await open.click();
  const pullRequest = dialog.getByRole('link', { name: /Pull request #\d+/ });
  await expect(pullRequest).toHaveAttribute(
    'href',
    /\/payments\/payments-gitops\/pull\/\d+$/,
  );
});

test('Rollback opens a pull request restoring the previous version', async ({
  page,
}) => {
  await page.goto(`${DEMO}/delivery`);

  await environmentRow(page, 'snd')
    .getByRole('button', { name: 'Rollback snd' })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Roll back snd' });
  // The version before build 3 is chosen by default.
  await expect(dialog.getByRole('radio', { checked: true })).toBeVisible();
  const open = dialog.getByRole('button', { name: 'Open pull request' });
  await expect(open).toBeEnabled();
  await open.click();
  await expect(
    dialog.getByRole('link', { name: /Pull request #\d+/ }),
  ).toHaveAttribute('href', /\/payments\/payments-gitops\/pull\/\d+$/);
});

test('Trace follows what snd runs from its commit and build to its pull requests and environments', async ({
  page,
}) => {
  await page.goto(`${DEMO}/delivery`);
  await environmentRow(page, 'snd')
    .getByRole('button', { name: 'Trace what snd runs' })
    .click();

  // Build 3, which Promote above proposes for prd.
  const panel = page.getByRole('region', { name: /^Trace of sha256:/ });
  await expect(
    panel.getByRole('link', { name: 'Build #3: steps and log' }),
  ).toBeVisible();
  await expect(
    panel.getByRole('link', { name: /^Commit [0-9a-f]{7}/ }),
  ).toBeVisible();
  await expect(
    panel.getByRole('list', { name: 'Pull requests of the digest' }),
  ).toContainText(/Promotion into prd.*Open/);
  await expect(
    panel.getByRole('list', { name: 'Environments of the digest' }),
  ).toContainText('snd');
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, 'trace-panel');
});

test('the Delivery view in the dark theme', async ({ page }) => {
  await setTheme(page, 'dark');
  await page.goto(`${DEMO}/delivery`);
  await expect(environmentRow(page, 'prd')).toBeVisible();
  await screenshot(page, 'delivery-dark');
});

test("the insights card shows the demo app's delivery of the last 30 days", async ({
  page,
}) => {
  await page.goto(DEMO);

  // The seeded history: snd ran builds 1 and 2 (and 3, once the Rebuild above ran); prd runs build 1.
  const table = page.getByRole('table', {
    name: 'Delivery of ledger-api per environment, last 30 days',
  });
  await expect(table.getByRole('row', { name: /^snd/ })).toContainText(
    /\([23] deploys\)/,
  );
  await expect(table.getByRole('row', { name: /^prd/ })).toContainText(
    '(1 deploy)',
  );
  await expect(
    page.getByRole('img', {
      name: /^Deploys per week: snd [\d.]+, prd [\d.]+$/,
    }),
  ).toBeVisible();
  await table.scrollIntoViewIfNeeded();
  await screenshot(page, 'insights-card');
});

// Another team's Component that names this project's app is not that app:
// the project record says who owns the project (issue 17).
test("another team's entity naming the project's app gets nothing: the page says why, and the backend refuses", async ({
  page,
}) => {
  const why =
    /is owned by 'group:default\/platform-team', but project 'payments' is owned by group:default\/payments-team/;
  await page.goto(`${NOT_OWNED}/ci`);
  await expect(page.getByText(why).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Rebuild' })).toHaveCount(0);

  await page.goto(`${NOT_OWNED}/delivery`);
  await expect(page.getByText(why).first()).toBeVisible();
  await expect(
    page.getByRole('button', { name: 'Promote snd → prd' }),
  ).toHaveCount(0);

  // Bypassing the page does not help: the backend refuses the writes too.
  const statuses = await writeStatuses(
    page,
    'paula',
    'ledger-api-platform-view',
  );
  expect(statuses).toEqual({ rebuild: 403, promote: 403, rollback: 403 });
});
