/*
 * End-to-end tests: `scripts/test-e2e` starts the emulator and the backend serving
 * the production app on :7007, then runs these in Debian's Chromium
 * (Playwright's own browser download is unreachable from CI).
 */
import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

const chromium = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH;

export default defineConfig({
  timeout: 90_000,

  expect: {
    timeout: 30_000,
  },

  forbidOnly: !!process.env.CI,

  // The tests share one backend and one emulator, and change what they show.
  workers: 1,
  retries: 0,

  reporter: [
    ['list'],
    ['json', { outputFile: 'e2e-test-report/results.json' }],
    ['html', { open: 'never', outputFolder: 'e2e-test-report/html' }],
  ],

  use: {
    actionTimeout: 30_000,
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:7007',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    // A common laptop window: the pages must fit it without sideways
    // scrolling (issue 20), and the docs' screenshots are taken at it.
    viewport: { width: 1280, height: 800 },
    ...(chromium
      ? { launchOptions: { executablePath: chromium, args: ['--no-sandbox'] } }
      : {}),
  },

  outputDir: 'node_modules/.cache/e2e-test-results',

  projects: [
    // Each demo user signs in once; the tests start from the saved state
    // (https://playwright.dev/docs/auth#basic-shared-account-in-all-tests).
    {
      name: 'sign-in',
      testDir: 'packages/app/e2e-tests',
      testMatch: /signIn\.setup\.ts$/,
      use: chromium ? { channel: '' } : {},
    },
    // Find all packages with e2e-test folders; with a system Chromium, no channel.
    ...generateProjects(chromium ? { channel: '' } : undefined).map(
      project => ({ ...project, dependencies: ['sign-in'] }),
    ),
  ],
});
