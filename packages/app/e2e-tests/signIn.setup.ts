import { test as setup } from '@playwright/test';
import { signIn, storageStateOf, USERS, type DemoUser } from './signIn';

/*
 * Signs each demo user in once, through the sign-in page, and saves the
 * browser state the other tests start from (playwright.config.ts runs this
 * project first): a sign-in per test cost a full page load and the catalog's
 * first render, several seconds each (issue 19).
 */
for (const user of Object.keys(USERS) as DemoUser[]) {
  setup(`sign in as ${user}`, async ({ page }) => {
    await signIn(page, user);
    await page.context().storageState({ path: storageStateOf(user) });
  });
}
