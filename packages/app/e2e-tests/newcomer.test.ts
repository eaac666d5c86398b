import { expect, test, type Locator, type Page } from '@playwright/test';
import { screenshot } from './screenshots';
import { signedInAs } from './signIn';

/*
 * The pages as a newcomer meets them (issue 20), in a 1,280 × 800 window
 * (playwright.config.ts): everything fits without scrolling sideways, each
 * state tells the truth, each label says where it leads. Runs after
 * luban.test.ts on the same backend (files run in order, one worker).
 */
test.describe.configure({ mode: 'serial' });
test.use(signedInAs('paula'));

const DEMO = '/catalog/default/component/ledger-api';
const PROJECT = '/catalog/default/system/payments';
const WIDTH = 1280;
const HEIGHT = 800;

/** An entity page's tab: a link of its "Content navigation". */
function entityTab(page: Page, name: string | RegExp) {
  return page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name, exact: true });
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

/** Asserts that `locator` is wholly inside the window as it is, unscrolled. */
async function expectInViewport(locator: Locator, what: string) {
  const box = await locator.boundingBox();
  expect(box, `${what} is on the page`).not.toBeNull();
  expect(box!.x, `${what} starts inside the window`).toBeGreaterThanOrEqual(0);
  expect(box!.y, `${what} starts inside the window`).toBeGreaterThanOrEqual(0);
  expect(
    box!.x + box!.width,
    `${what} ends inside the window`,
  ).toBeLessThanOrEqual(WIDTH);
  expect(
    box!.y + box!.height,
    `${what} ends above the fold`,
  ).toBeLessThanOrEqual(HEIGHT);
}

/** Asserts that neither the page nor `container` (what would scroll the table) scrolls sideways. */
async function expectNoSidewaysScroll(page: Page, container: Locator) {
  const widths = await container.evaluate(element => ({
    scroll: element.scrollWidth,
    client: element.clientWidth,
  }));
  expect(widths.scroll, 'the table scrolls sideways').toBeLessThanOrEqual(
    widths.client,
  );
  const pageWidths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(pageWidths.scroll, 'the page scrolls sideways').toBeLessThanOrEqual(
    pageWidths.client,
  );
}

test('at 1,280 × 800 the Delivery table shows every column and every action without scrolling', async ({
  page,
}) => {
  expect(page.viewportSize()).toEqual({ width: WIDTH, height: HEIGHT });
  await page.goto(`${DEMO}/delivery`);
  const table = environments(page);
  await expect(environmentRow(page, 'prd')).toBeVisible();

  const headers = table.getByRole('columnheader');
  await expect(headers).toHaveText([
    'Environment',
    'Image',
    'Build',
    'Deployed',
    'Argo CD',
    'Vulnerabilities',
    'Pull request',
    'Actions',
  ]);
  for (const header of await headers.all()) {
    await expectInViewport(header, `column "${await header.textContent()}"`);
  }
  const actions = [
    ['snd', ['Rollback snd', 'Trace what snd runs']],
    ['prd', ['Promote snd → prd', 'Rollback prd', 'Trace what prd runs']],
  ] as const;
  for (const [environment, names] of actions) {
    for (const name of names) {
      const button = environmentRow(page, environment).getByRole('button', {
        name,
      });
      await expect(button).toBeVisible();
      await expectInViewport(button, `button "${name}"`);
    }
  }
  // Argo CD's sync and health on one line each row, not stacked over four.
  const argoCd = environmentRow(page, 'snd').getByText('Synced · Healthy');
  const argoCdBox = await argoCd.boundingBox();
  expect(argoCdBox!.height).toBeLessThan(30);
  await expectNoSidewaysScroll(page, table.locator('xpath=..'));
  await screenshot(page, 'delivery-light');
});

test('the overview card fits, and links to the Delivery tab', async ({
  page,
}) => {
  await page.goto(DEMO);
  const table = environments(page);
  await expect(table.getByRole('columnheader')).toHaveText([
    'Environment',
    'Image',
    'Deployed',
    'Argo CD',
  ]);
  for (const header of await table.getByRole('columnheader').all()) {
    const box = await header.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(WIDTH);
  }
  await expectNoSidewaysScroll(page, table.locator('xpath=..'));
  await expect(page.getByRole('link', { name: 'View delivery' })).toBeVisible();
  // The card sits below the catalog's own cards: bring it into the picture.
  await table.scrollIntoViewIfNeeded();
  await screenshot(page, 'overview-card');
});

test.describe(() => {
  // Dario is of data-team: payments' app is not his to promote.
  test.use(signedInAs('dario'));
  test('a disabled action says why in a tooltip', async ({ page }) => {
    await page.goto(`${DEMO}/delivery`);
    const promote = environmentRow(page, 'prd').getByRole('button', {
      name: 'Promote snd → prd',
    });
    await expect(promote).toBeDisabled();
    // A disabled button fires no pointer events: its wrapper shows the tooltip.
    await promote.locator('xpath=..').hover();
    await expect(page.getByRole('tooltip')).toHaveText(
      /Promote snd → prd\s*Only the owners of ledger-api can promote/,
    );
  });
});

test('CI, Delivery and Project are top-level tabs named for where they lead, and the catalog is at /catalog', async ({
  page,
}) => {
  await page.goto('/catalog');
  await expect(
    page.getByRole('heading', { level: 1, name: 'Catalog' }),
  ).toBeVisible();

  await page.goto(DEMO);
  for (const name of ['CI', 'Delivery', 'Project']) {
    await expect(entityTab(page, name)).toBeVisible();
  }
  await expect(entityTab(page, /Luban|Deployment/)).toHaveCount(0);
  // Not under a group's dropdown ("Deployment ▾").
  await expect(
    page
      .getByRole('navigation', { name: 'Content navigation' })
      .getByRole('button'),
  ).toHaveCount(0);
  await entityTab(page, 'Delivery').click();
  await expect(page).toHaveURL(/\/delivery$/);
});

test("the project's System shows the Project page with its apps by environment, and no CI or Delivery tab", async ({
  page,
}) => {
  await page.goto(PROJECT);
  await expect(entityTab(page, 'Project')).toBeVisible();
  await expect(entityTab(page, 'CI')).toHaveCount(0);
  await expect(entityTab(page, 'Delivery')).toHaveCount(0);
  await entityTab(page, 'Project').click();

  const apps = page.getByRole('table', {
    name: 'Apps of payments by environment',
  });
  const ledger = apps.getByRole('row').filter({
    has: page.getByRole('rowheader', { name: 'ledger-api', exact: true }),
  });
  await expect(ledger).toContainText('sha256:');
  // The fixture's Component of another team names the project: the project
  // page says why it is not one of the project's apps.
  await expect(
    apps.getByRole('row').filter({
      has: page.getByRole('rowheader', { name: 'ledger-api-platform-view' }),
    }),
  ).toContainText("is owned by 'group:default/platform-team'");
  await expect(page.getByText('payments-gitops').first()).toBeVisible();
  await expect(page.getByText(/luban\.dev\/app/)).toHaveCount(0);
  await screenshot(page, 'project-page');
});

test('a new app from the Create page reads "Not deployed yet" in prd, where Rollback says why it cannot', async ({
  page,
}) => {
  // The template's run and the catalog's first ingestion of the new app:
  // the waits below allow up to 120 s and 90 s, more than the default 90 s
  // of the whole test.
  test.slow();
  const app = 'newcomer-api';
  await page.goto('/create');
  // Onboarding first: it is where a newcomer starts.
  await expect(page.getByRole('heading', { name: 'Start here' })).toBeVisible();
  await screenshot(page, 'create-page');

  await page.goto('/create/templates/default/luban-python-app');
  await page.getByRole('textbox', { name: 'App name' }).fill(app);
  await page.getByRole('textbox', { name: 'Project' }).click();
  await page.getByRole('option', { name: /payments/ }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  // Prefilled by the convention: named after the app, beside the project's
  // GitOps repository (payments/payments-gitops).
  await expect(
    page.getByRole('textbox', { name: 'Organization or user on the git host' }),
  ).toHaveValue('payments');
  await expect(
    page.getByRole('textbox', { name: 'Repository name' }),
  ).toHaveValue(app);
  await screenshot(page, 'create-app-repository');
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await page
    .getByRole('link', { name: 'Open the app in the catalog' })
    .click({ timeout: 120_000 });
  // The catalog may take a moment to ingest the new entity: reload until it has.
  const delivery = entityTab(page, 'Delivery');
  await expect(async () => {
    await page.reload();
    await expect(delivery).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await delivery.click();
  const prd = environmentRow(page, 'prd');
  await expect(prd).toContainText('Not deployed yet', { timeout: 60_000 });
  await expect(prd).not.toContainText(/ago|Healthy/);
  const rollback = prd.getByRole('button', { name: 'Rollback prd' });
  await expect(rollback).toBeDisabled();
  await rollback.locator('xpath=..').hover();
  await expect(page.getByRole('tooltip')).toContainText(
    'Nothing to roll back to: prd was never deployed',
  );
  await screenshot(page, 'delivery-new-app');
});
