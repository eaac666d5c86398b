import { expect, test, type APIRequestContext } from '@playwright/test';
import { screenshot } from './screenshots';
import { signedInAs } from './signIn';

/*
 * A pull-request preview as a teammate meets it (issue 22 point 2): Paula
 * opens a pull request on ledger-api's source repository (the demo app opts
 * in with `luban.dev/previews: enabled`); the emulated GitHub delivers
 * `pull_request` to the backend through the webhook the demo seed
 * registered, kpack builds the head, Argo CD runs it beside the app, and the
 * Delivery tab's Previews card lists it. Closing the pull request removes it.
 */
test.use(signedInAs('paula'));

const DELIVERY = '/catalog/default/component/ledger-api/delivery';
/** The emulated GitHub of scripts/test-e2e: its REST API and its test controls. */
const GITHUB = 'http://127.0.0.1:7013';
const REPOSITORY = `${GITHUB}/api/v3/repos/payments/ledger-api`;
const BRANCH = 'preview-of-a-change';

/** Paula's GitHub: a teammate with write access to the team's repositories. */
async function asPaula(request: APIRequestContext) {
  const token = await request.post(`${GITHUB}/_emulator/github/user-tokens`, {
    data: { login: 'paula' },
  });
  const headers = { Authorization: `token ${(await token.json()).token}` };
  return {
    get: (path: string) => request.get(`${REPOSITORY}${path}`, { headers }),
    post: (path: string, data: object) =>
      request.post(`${REPOSITORY}${path}`, { headers, data }),
    put: (path: string, data: object) =>
      request.put(`${REPOSITORY}${path}`, { headers, data }),
    patch: (path: string, data: object) =>
      request.patch(`${REPOSITORY}${path}`, { headers, data }),
  };
}

test('a pull request on the app gets a preview: built, deployed beside the app, listed on the Delivery tab, announced on the pull request, removed when closed', async ({
  page,
  request,
}) => {
  const github = await asPaula(request);
  const main = (await (await github.get('/git/ref/heads/main')).json()) as {
    object: { sha: string };
  };
  const branched = await github.post('/git/refs', {
    ref: `refs/heads/${BRANCH}`,
    sha: main.object.sha,
  });
  expect(branched.status()).toBe(201);
  const committed = await github.put('/contents/src/ledger_api/preview.py', {
    message: 'Try the new ledger summary',
    content: Buffer.from('SUMMARY = True\n').toString('base64'),
    branch: BRANCH,
  });
  expect(committed.status()).toBe(201);
  const head = ((await committed.json()) as { commit: { sha: string } }).commit
    .sha;
  const opened = await github.post('/pulls', {
    title: 'Try the new ledger summary',
    head: BRANCH,
    base: 'main',
  });
  expect(opened.status()).toBe(201);
  const { number } = (await opened.json()) as { number: number };

  // The card is read once per page load: load it again until the preview runs.
  await page.goto(DELIVERY);
  const table = page.getByRole('table', {
    name: 'Pull-request previews of ledger-api',
  });
  const row = table
    .getByRole('row')
    .filter({
      has: page.getByRole('link', { name: `Pull request ${number}` }),
    });
  await expect(async () => {
    await page.reload();
    await expect(row).toContainText('Synced', { timeout: 5_000 });
  }).toPass({ timeout: 150_000 });
  const address = `ledger-api-pr-${number}.payments.snd.luban.localhost`;
  await expect(row).toContainText(address);
  await expect(row).toContainText(/sha256:[0-9a-f]{12}/);
  // The previews card in the middle of the window, the environments above it.
  await table.evaluate(element => element.scrollIntoView({ block: 'center' }));
  await screenshot(page, 'preview-card');

  // The pull request says where its preview runs, in one comment.
  const comments = (await (
    await github.get(`/issues/${number}/comments`)
  ).json()) as { body: string }[];
  const previewComments = comments.filter(c => c.body.includes('**Preview**'));
  expect(previewComments).toHaveLength(1);
  expect(previewComments[0].body).toContain(`of ${head.slice(0, 7)}: `);
  expect(previewComments[0].body).toContain(address);

  // Closed, the preview is deleted and the card says so.
  expect(
    (await github.patch(`/pulls/${number}`, { state: 'closed' })).status(),
  ).toBe(200);
  await expect(async () => {
    await page.reload();
    await expect(
      page.getByText('No open pull request has a preview.'),
    ).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
});
