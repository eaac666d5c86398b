import { expect, test, type APIRequestContext } from '@playwright/test';
import { signedInAs } from './signIn';

/*
 * A promotion to the protected environment, end to end (issue 21): the
 * demo's GitOps branch is protected as onboarding protects it (emulator
 * seed: one approving review for pull requests into main, luban's own user
 * bypassing it for the auto-deploy to snd). Dario, of data-team, promotes
 * his team's metrics-api to prd; GitHub refuses his merge until a teammate
 * approves (docs.github.com "About protected branches": 405 "At least 1
 * approving review is required"); once merged, prd waits for a sync, as its
 * Argo CD application does not sync by itself; Sync prd has Argo CD run the
 * merged revision. metrics-api is the analytics project's: nothing here
 * touches what luban.test.ts and newcomer.test.ts read of ledger-api.
 */
test.use(signedInAs('dario'));

const APP = '/catalog/default/component/metrics-api';
/** The emulated GitHub of scripts/test-e2e: its REST API and its test controls. */
const GITHUB = 'http://127.0.0.1:7013';

/** A token of another GitHub user, with write access (packages/emulator/src/github/userTokenControl.ts). */
async function gitHubToken(request: APIRequestContext, login: string) {
  const answer = await request.post(`${GITHUB}/_emulator/github/user-tokens`, {
    data: { login },
  });
  expect(answer.status()).toBe(201);
  return ((await answer.json()) as { token: string }).token;
}

test('a promotion to prd waits for a review, is merged once approved, and Sync prd deploys it', async ({
  page,
  request,
}) => {
  await page.goto(`${APP}/delivery`);
  const prd = page
    .getByRole('table', { name: /^Environments of .+, in promotion order$/ })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: 'prd' }) });
  // The seed: snd runs build 2, prd build 1, synced by hand.
  await expect(prd).toContainText(/behind snd/i);
  await expect(
    prd.getByRole('link', { name: 'Build #1 in the Builds tab' }),
  ).toBeVisible();

  await prd.getByRole('button', { name: 'Promote snd → prd' }).click();
  const dialog = page.getByRole('dialog', { name: 'Promote snd → prd' });
  await dialog.getByRole('button', { name: 'Open pull request' }).click();
  const link = dialog.getByRole('link', { name: /Pull request #\d+/ });
  const href = (await link.getAttribute('href')) ?? '';
  const [, repository, number] =
    href.match(/\/(analytics\/analytics-gitops)\/pull\/(\d+)$/) ?? [];
  expect(number, `the pull request's link, ${href}`).toBeDefined();
  await dialog.getByRole('button', { name: 'Close' }).click();

  // The view says what the pull request waits for.
  await expect(
    prd.getByRole('link', { name: new RegExp(`^Pull request #${number}:`) }),
  ).toBeVisible();
  await expect(prd).toContainText('waiting for 1 review');

  // Dario asked for it: GitHub does not let him merge it unreviewed.
  const pull = `${GITHUB}/api/v3/repos/${repository}/pulls/${number}`;
  const as = (token: string) => ({ Authorization: `token ${token}` });
  const dario = await gitHubToken(request, 'dario');
  const refused = await request.put(`${pull}/merge`, { headers: as(dario) });
  expect(refused.status()).toBe(405);
  expect((await refused.json()).message).toBe(
    'At least 1 approving review is required by reviewers with write access.',
  );
  await expect(prd).toContainText('waiting for 1 review');

  // A teammate approves; now his merge goes through.
  const grace = await gitHubToken(request, 'grace');
  const review = await request.post(`${pull}/reviews`, {
    headers: as(grace),
    data: { event: 'APPROVE' },
  });
  expect(review.status()).toBe(200);
  const merged = await request.put(`${pull}/merge`, { headers: as(dario) });
  expect(merged.status()).toBe(200);
  const { sha } = (await merged.json()) as { sha: string };

  // Merged, not deployed: prd's Argo CD application waits for a sync.
  await expect(prd).toContainText('Merged, waiting for sync');
  await expect(prd.getByRole('link', { name: /^Pull request #/ })).toHaveCount(
    0,
  );

  await prd.getByRole('button', { name: 'Sync prd' }).click();
  // The confirmation names what the dry run found: the merged commit.
  const confirm = page.getByRole('dialog', { name: 'Sync prd?' });
  await expect(confirm).toContainText(`deploys commit ${sha.slice(0, 7)}`);
  await confirm.getByRole('button', { name: 'Start the sync' }).click();
  await expect(
    page.getByText(`Argo CD is syncing prd to ${sha.slice(0, 7)}`),
  ).toBeVisible();
  // Argo CD runs the merged revision: prd runs what snd runs, deployed.
  await expect(prd).not.toContainText('Merged, waiting for sync');
  await expect(
    prd.getByRole('link', { name: 'Build #2 in the Builds tab' }),
  ).toBeVisible();
  await expect(prd).toContainText('Synced · Healthy');
  await expect(prd).not.toContainText(/behind snd/i);
});
