import { expect, test } from '@playwright/test';
import { screenshot } from './screenshots';
import { signedInAs } from './signIn';

/*
 * Notifications in the app's notifications page (issue 22 point 3): the
 * promotion pull request luban.test.ts opened for ledger-api reaches the
 * team that owns the project — Paula sees it, with a link to the pull
 * request — and not Dario, of another team. Runs after luban.test.ts
 * on the same backend (files run in order, one worker); the e2e config
 * looks at open pull requests every 5 s.
 */
/** The notification's title, a link that opens the pull request in a new window. */
const PROMOTION = /^Promotion of ledger-api to prd opened: #\d+\b/;

test.describe('a member of the owning team', () => {
  test.use(signedInAs('paula'));

  test('sees the promotion pull request in the notifications page, linking to it', async ({
    page,
  }) => {
    const notification = page.getByRole('link', { name: PROMOTION }).first();
    await expect(async () => {
      await page.goto('/notifications');
      await expect(notification).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 60_000 });
    await expect(notification).toHaveAttribute(
      'href',
      /\/payments\/payments-gitops\/pull\/\d+$/,
    );
    await screenshot(page, 'notifications-page');
  });
});

test.describe('a member of another team', () => {
  test.use(signedInAs('dario'));

  test("is not told of another team's pull request", async ({ page }) => {
    await page.goto('/notifications');
    // The list has loaded (it counts Dario's own notifications)…
    await expect(
      page.getByRole('heading', { name: /^Unread notifications \(\d+\)$/ }),
    ).toBeVisible();
    // …and holds nothing of payments' app.
    await expect(page.getByText(/ledger-api/)).toHaveCount(0);
  });
});
