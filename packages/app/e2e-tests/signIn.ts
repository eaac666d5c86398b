import { expect, type Page } from '@playwright/test';
import { resolve } from 'node:path';

/**
 * The people of development sign-in (auth.providers.developmentUsers in
 * app-config.yaml, users in catalog-info.yaml): Paula owns the demo app
 * ledger-api (payments-team), Dario is in another team (data-team, project
 * analytics), Ada is a platform admin (platform-team).
 */
export const USERS = {
  paula: 'Paula (payments-team)',
  dario: 'Dario (data-team)',
  ada: 'Ada (platform-team)',
} as const;

/** A person of the demo organisation. */
export type DemoUser = keyof typeof USERS;

/**
 * Where signIn.setup.ts saves each user's signed-in browser state (the
 * sign-in page's pick in localStorage): Playwright's documented way to sign
 * in once per user rather than once per test
 * (https://playwright.dev/docs/auth#multiple-signed-in-roles).
 */
export function storageStateOf(user: DemoUser) {
  return resolve(
    __dirname,
    '../../../node_modules/.cache/e2e-auth',
    `${user}.json`,
  );
}

/** The tests of a file (or describe block) start signed in as `user`: `test.use(signedInAs('dario'))`. */
export function signedInAs(user: DemoUser) {
  return { storageState: storageStateOf(user) };
}

/** The next page loads use `theme` (what the settings page's theme switch stores). */
export async function setTheme(page: Page, theme: 'light' | 'dark') {
  await page.addInitScript(value => {
    window.localStorage.setItem('theme', value);
  }, theme);
}

/**
 * Signs in from the sign-in page as `user`, and waits for the catalog. Only
 * for tests about signing in and for signIn.setup.ts; every other test starts
 * signed in (`signedInAs`).
 */
export async function signIn(
  page: Page,
  user: DemoUser = 'paula',
  theme: 'light' | 'dark' = 'light',
) {
  await setTheme(page, theme);
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${USERS[user]}` }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'Catalog' }),
  ).toBeVisible();
}

/**
 * Calls the backend from the signed-in page with the user's own Backstage
 * token (as a script in that page could), bypassing the buttons.
 */
export async function callAsUser(
  page: Page,
  user: DemoUser,
  calls: Record<
    string,
    {
      method: 'GET' | 'POST';
      path: string;
      body?: unknown;
      headers?: Record<string, string>;
    }
  >,
): Promise<Record<string, number>> {
  // A test that starts signed in may not have loaded a page yet: the calls
  // need the backend's origin, not the app (a small page of it will do).
  if (page.url() === 'about:blank') {
    await page.goto('/.backstage/health/v1/readiness');
  }
  return page.evaluate(
    async ({ name, requests }) => {
      const session = await fetch('/api/auth/developmentUsers/refresh', {
        headers: {
          'X-Requested-With': 'XMLHttpRequest',
          'x-luban-development-user': name,
        },
      });
      const token = (await session.json()).backstageIdentity.token;
      const statuses: Record<string, number> = {};
      for (const [key, call] of Object.entries(requests)) {
        const response = await fetch(call.path, {
          method: call.method,
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json',
            ...call.headers,
          },
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
        });
        statuses[key] = response.status;
      }
      return statuses;
    },
    { name: user, requests: calls },
  );
}

/**
 * Rebuild, promote (snd → prd) and roll back (snd) a Component through the
 * backend with the user's own token, bypassing the page: the status of each.
 */
export async function writeStatuses(
  page: Page,
  user: DemoUser,
  component: string,
) {
  const entity = `/api/luban/entities/component/default/${component}`;
  return callAsUser(page, user, {
    rebuild: { method: 'POST', path: `${entity}/builds/rebuild`, body: {} },
    promote: {
      method: 'POST',
      path: `${entity}/promotion/promote`,
      body: { from: 'snd', to: 'prd' },
    },
    rollback: {
      method: 'POST',
      path: `${entity}/promotion/rollback`,
      body: { env: 'snd' },
    },
  });
}
