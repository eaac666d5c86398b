import type { Page } from '@playwright/test';

/** Where to save screenshots for the docs, when asked (`LUBAN_E2E_SCREENSHOTS=docs/screenshots`). */
const SCREENSHOTS = process.env.LUBAN_E2E_SCREENSHOTS;

/**
 * Saves `<LUBAN_E2E_SCREENSHOTS>/<name>.png` of the page when the run was
 * asked for the docs' screenshots; otherwise does nothing.
 */
export async function screenshot(page: Page, name: string) {
  if (SCREENSHOTS) {
    await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
  }
}
