import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { cacheDir } from './fixtures.js';

export const SHOTS = join(cacheDir, 'screenshots');

/** The two windows the page is looked at in: a laptop's and a phone's. */
const VIEWS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

/**
 * Screenshots of the page as it is, in each of VIEWS, light and dark: `.cache/screenshots/NAME-WIDTH-SCHEME.png`,
 * scrolled to `at` when given. The window and colour scheme are put back afterwards.
 */
export async function shootViews(page: Page, name: string, at?: Locator): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize();
  for (const view of VIEWS)
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize(view);
      await page.emulateMedia({ colorScheme: scheme });
      if (at) await at.scrollIntoViewIfNeeded();
      await page.waitForTimeout(300); // canvases repaint on the scheme's change event
      await page.screenshot({ path: join(SHOTS, `${name}-${view.width}-${scheme}.png`), animations: 'disabled' });
    }
  if (size) await page.setViewportSize(size);
  await page.emulateMedia({ colorScheme: null });
}
