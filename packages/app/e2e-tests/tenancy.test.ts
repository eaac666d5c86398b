import { expect, test, type APIRequestContext } from '@playwright/test';
import { callAsUser, signedInAs, writeStatuses } from './signIn';

/*
 * The tenant boundary from the other team's side (issue 17): Dario, of
 * data-team, may look at payments' app but not change it, nor add an app to
 * the payments project; his own app, metrics-api, he may rebuild. Ada, a
 * platform admin, may use the Kubernetes proxy that nobody else may.
 */
test.use(signedInAs('dario'));

const PAYMENTS_APP = '/catalog/default/component/ledger-api';
const OWN_APP = '/catalog/default/component/metrics-api';
/** The emulated GitHub of scripts/test-e2e, whose control API lists the requests it answered. */
const EMULATOR = 'http://127.0.0.1:7013/_emulator';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The writes the emulated GitHub answered since `since` whose path `mentioning`
 * matches. Only since then: other tests of the run (newcomer.test.ts) create
 * an app in the payments organization, as its owners may.
 */
async function mutatingRequests(
  request: APIRequestContext,
  mentioning: RegExp,
  since: string,
) {
  const log = await (await request.get(`${EMULATOR}/requests`)).json();
  return (log.items as { method: string; path: string; at: string }[]).filter(
    item =>
      item.at >= since &&
      MUTATING.has(item.method) &&
      mentioning.test(item.path),
  );
}

test("another team's member sees payments' app with Rebuild, Promote and Rollback disabled", async ({
  page,
}) => {
  await page.goto(`${PAYMENTS_APP}/ci`);
  await expect(page.getByRole('link', { name: 'Build #2' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Rebuild' })).toBeDisabled();
  // The disabled button's wrapper says why, on hover.
  await page.getByRole('button', { name: 'Rebuild' }).locator('..').hover();
  await expect(
    page.getByRole('tooltip', {
      name: 'Only the owners of component:ledger-api can rebuild',
    }),
  ).toBeVisible();

  await page.goto(`${PAYMENTS_APP}/delivery`);
  await expect(
    page.getByRole('button', { name: 'Promote snd → prd' }),
  ).toBeDisabled();
  await expect(
    page.getByRole('button', { name: 'Rollback snd' }),
  ).toBeDisabled();

  // His own team's app, on the same page: the buttons are his.
  await page.goto(`${OWN_APP}/ci`);
  await expect(page.getByRole('link', { name: 'Build #2' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Rebuild' })).toBeEnabled();

  // Bypassing the page does not help: the backend refuses his writes.
  const statuses = await writeStatuses(page, 'dario', 'ledger-api');
  expect(statuses).toEqual({ rebuild: 403, promote: 403, rollback: 403 });
});

test("another team's member cannot add an app to the payments project from the Create page", async ({
  page,
  request,
}) => {
  const app = 'dario-sneaks-in';
  const since = new Date().toISOString();
  // The Python web service template (templates/python-app), as the Create page links it.
  await page.goto('/create/templates/default/luban-python-app');
  await page.getByRole('textbox', { name: 'App name' }).fill(app);
  await page.getByRole('textbox', { name: 'Project' }).click();
  await page.getByRole('option', { name: /payments/ }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  // The picker comes prefilled: the app's name, beside payments' GitOps repository.
  await expect(
    page.getByRole('textbox', { name: 'Organization or user on the git host' }),
  ).toHaveValue('payments');
  await expect(
    page.getByRole('textbox', { name: 'Repository name' }),
  ).toHaveValue(app);
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();

  // The task stops at its second step, before any repository exists.
  await expect(
    page
      .getByText(
        "Project 'payments' is owned by group:default/payments-team; user:development/dario is not a member of it",
      )
      .first(),
  ).toBeVisible();
  // Neither a repository for it (publish:github creates one under the owner), nor anything else named after it.
  expect(
    await mutatingRequests(
      request,
      new RegExp(`${app}|/orgs/payments/repos$|/user/repos$`),
      since,
    ),
  ).toEqual([]);
});

test('only a platform admin may use the Kubernetes proxy', async ({ page }) => {
  const secrets = {
    method: 'GET' as const,
    path: '/api/kubernetes/proxy/api/v1/namespaces/ci-payments/secrets',
    headers: { 'Backstage-Kubernetes-Cluster': 'luban-emulator' },
  };

  expect(await callAsUser(page, 'dario', { secrets })).toEqual({
    secrets: 403,
  });
  expect(await callAsUser(page, 'ada', { secrets })).toEqual({ secrets: 200 });
});
