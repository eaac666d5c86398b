import { expect, test, type Page } from '@playwright/test';
import { signedInAs } from './signIn';

/*
 * A release of two apps in one pull request (issue 21 point 5): the payments
 * System's luban tab shows its apps × environments, and "Promote release
 * snd → prd" opens ONE pull request that moves both apps' prd overlays to
 * what snd runs. The project's second app is newcomer-api, which
 * newcomer.test.ts creates from the Create page: this file runs after it on
 * the same backend (files run in order, one worker).
 */
test.use(signedInAs('paula'));

const PROJECT_TAB = '/catalog/default/system/payments/luban';
const APPS = ['ledger-api', 'newcomer-api'];
/** The emulated GitHub of scripts/test-e2e: its REST API and its test controls. */
const GITHUB = 'http://127.0.0.1:7013';

function matrixRow(page: Page, app: string) {
  return page
    .getByRole('table', { name: 'Release of payments: apps by environment' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: app, exact: true }) });
}

test('a release of the two apps of payments is one pull request moving both prd overlays to what snd runs', async ({
  page,
  request,
}) => {
  // newcomer-api's first build reaches snd on its own; the matrix is read
  // once per page load, so load it again until it shows there.
  await page.goto(PROJECT_TAB);
  await expect(async () => {
    await page.reload();
    await expect(
      page.getByTestId('luban-release-cell-newcomer-api-snd'),
    ).toContainText('sha256:', { timeout: 5_000 });
  }).toPass({ timeout: 120_000 });

  const sndDigests: Record<string, string> = {};
  for (const app of APPS) {
    await expect(matrixRow(page, app)).toContainText('behind snd');
    sndDigests[app] =
      (await page
        .getByTestId(`luban-release-cell-${app}-snd`)
        .locator('code')
        .textContent()) ?? '';
    expect(sndDigests[app]).toMatch(/^sha256:[0-9a-f]{12}$/);
  }

  await page.getByRole('button', { name: 'Promote release snd → prd' }).click();
  const dialog = page.getByRole('dialog', {
    name: 'Promote release snd → prd',
  });
  for (const app of APPS) {
    await expect(dialog).toContainText(`${app}: moves`);
  }
  await dialog.getByRole('button', { name: 'Open pull request' }).click();
  await dialog.getByRole('button', { name: 'Close' }).click();
  const link = page
    .getByTestId('luban-release-pull-request')
    .getByRole('link', { name: /pull request #\d+/ });
  const href = (await link.getAttribute('href')) ?? '';
  const number = href.match(/\/payments\/payments-gitops\/pull\/(\d+)$/)?.[1];
  expect(number, `the pull request's link, ${href}`).toBeDefined();

  // What the pull request changes, as GitHub lists it (the repository is
  // private: read with a teammate's token).
  const token = await request.post(`${GITHUB}/_emulator/github/user-tokens`, {
    data: { login: 'paula' },
  });
  const files = await request.get(
    `${GITHUB}/api/v3/repos/payments/payments-gitops/pulls/${number}/files`,
    {
      headers: { Authorization: `token ${(await token.json()).token}` },
    },
  );
  expect(files.status()).toBe(200);
  const changed = (await files.json()) as { filename: string; patch: string }[];
  expect(changed.map(file => file.filename).sort()).toEqual(
    APPS.map(app => `apps/${app}/overlays/prd/kustomization.yaml`),
  );
  for (const app of APPS) {
    const patch = changed.find(file => file.filename.includes(`/${app}/`))!;
    expect(patch.patch).toMatch(
      new RegExp(`^\\+\\s+digest: ${sndDigests[app]}`, 'm'),
    );
  }
});
