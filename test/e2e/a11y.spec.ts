import { existsSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import { expect, test, type Page } from '@playwright/test';
import { cutBeforeLastSegment } from '../helpers/derived-dumps.js';
import { fixtureCacheDir } from '../helpers/fixtures.js';
import { shootViews } from '../helpers/screenshots.js';

/** axe-core on each state of the page: no serious or critical violation (issue 23, item 6). */

const REAL_DUMP = join(fixtureCacheDir, 'dev-kdump-288m-4l-kaslr.vmcore');

/** The page without its bundled sample: it opens on the empty drop zone. */
async function refuseSample(page: Page) {
  await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
}

/**
 * The serious and critical violations axe finds on the page as it is now, one line each with its targets; the
 * lesser ones are printed, not failed on.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol, which the page's CSP does not govern (a script tag would be refused).
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const result = await run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')), summary: v.nodes[0]?.failureSummary ?? '' }));
  });
  const line = (v: (typeof violations)[number]) => `${v.id} (${v.impact}) on ${v.targets.join(', ')}: ${v.summary.replace(/\s+/g, ' ')}`;
  const serious = (v: (typeof violations)[number]) => v.impact === 'serious' || v.impact === 'critical';
  for (const v of violations.filter((v) => !serious(v))) console.log(`axe, not failed on: ${line(v)}`);
  return violations.filter(serious).map(line);
}

async function expectAccessible(page: Page) {
  const found = await seriousViolations(page);
  expect(found, found.join('\n')).toEqual([]);
}

async function openAnalysedDump(page: Page) {
  await refuseSample(page);
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(REAL_DUMP);
  await expect(page.getByTestId('class-map')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('dmesg-row').first()).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('analyse-button').click();
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 180_000 });
  await expect(page.getByTestId('size-table')).toBeVisible();
}

/**
 * Everything the analysed page can show at once: the secret scan's findings, the advice with a size budget some
 * outputs miss, every <details> open.
 */
async function showEverything(page: Page) {
  await page.getByTestId('scan-secrets-button').click();
  await expect(page.getByTestId('secrets-summary')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('advice-config')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('advice-budget').fill('30');
  await page.locator('details').evaluateAll((all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
  await expect(page.getByTestId('advice-candidates')).toBeVisible();
}

test.describe('accessibility (axe-core)', () => {
  test('the empty page', async ({ page }) => {
    await refuseSample(page);
    await page.goto('/');
    await expect(page.getByTestId('drop-zone')).toBeVisible();
    await expectAccessible(page);
    await shootViews(page, 'a11y-empty');
  });

  test('the bundled sample', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('sample-badge')).toBeVisible();
    await expect(page.getByTestId('class-map')).toBeVisible({ timeout: 60_000 });
    await expectAccessible(page);
  });

  test('an error: a file that is not a dump', async ({ page }) => {
    await refuseSample(page);
    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles({ name: 'garbage.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4096, 0x20) });
    await expect(page.getByTestId('error-panel')).toBeVisible();
    await expectAccessible(page);
    await shootViews(page, 'a11y-error');
  });

  test.describe('a real dump, opened and analysed', () => {
    test.skip(!existsSync(REAL_DUMP), `real fixture ${REAL_DUMP} is absent (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
    test.setTimeout(300_000);

    test('in light mode, then in dark mode', async ({ page }) => {
      await openAnalysedDump(page);
      await showEverything(page);
      await expectAccessible(page);
      await shootViews(page, 'a11y-analysed');
      await page.emulateMedia({ colorScheme: 'dark' });
      await expectAccessible(page);
    });

    test('cut short before its mem_map, so that no page has a class', async ({ page }) => {
      await refuseSample(page);
      await page.goto('/');
      await page.getByTestId('file-input').setInputFiles(await cutBeforeLastSegment(REAL_DUMP));
      await expect(page.getByTestId('unclassified')).toBeVisible({ timeout: 120_000 });
      await expectAccessible(page);
    });

    test('the size table picks a level from the keyboard alone, and its box scrolls from the keyboard', async ({ page }) => {
      await openAnalysedDump(page);
      // From the Analyse button, Tab alone reaches the table's level buttons: the chosen level's, as a radio group does.
      await page.getByTestId('analyse-button').focus();
      let reached = '';
      for (let i = 0; i < 40 && !reached.startsWith('size-level-'); i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
      }
      expect(reached).toBe('size-level-31');
      await expect(page.getByTestId('size-level-31')).toBeChecked();
      await page.keyboard.press('ArrowUp');
      await expect(page.getByTestId('size-level-30')).toBeFocused();
      await expect(page.getByTestId('size-level-30')).toBeChecked();
      await expect(page.getByTestId('export-level')).toHaveValue('30');
      await expect(page.getByTestId('size-table').locator('tr[data-level="30"]')).toHaveAttribute('aria-current', 'true');
      for (let i = 0; i < 13; i++) await page.keyboard.press('ArrowUp');
      await expect(page.getByTestId('export-level')).toHaveValue('17');
      await expect(page.getByTestId('level-map')).toHaveAttribute('data-level', '17');
      await shootViews(page, 'size-table', page.getByTestId('size-table-box'));

      // The box itself takes focus (Shift+Tab back from the radios), so arrow keys scroll it when the table is wider.
      await page.keyboard.press('Shift+Tab');
      await expect(page.getByTestId('size-table-box')).toBeFocused();
    });

    test('every column of the size table is in view at 1280×800; on a phone its box scrolls to each from the keyboard', async ({ page }) => {
      await page.setViewportSize({ width: 1280, height: 800 });
      await openAnalysedDump(page);
      const box = page.getByTestId('size-table-box');
      const headers = page.getByTestId('size-table').locator('thead th');
      const names = await headers.allTextContents();
      expect(names).toEqual(expect.arrayContaining(['zstd', 'none', 'ELF', 'Debugger']));
      const inView = async (i: number) => {
        const area = (await box.boundingBox())!;
        const h = (await headers.nth(i).boundingBox())!;
        return h.x >= area.x - 1 && h.x + h.width <= area.x + area.width + 1 && h.x + h.width <= page.viewportSize()!.width;
      };
      for (let i = 0; i < names.length; i++) expect(await inView(i), `column ${names[i]} at 1280 px`).toBe(true);
      await expect(page.getByTestId('size-table-sideways')).toHaveCount(0);

      // On a phone the table is wider than the screen: the page says so, and the box, focused, scrolls with the arrow keys.
      await page.setViewportSize({ width: 390, height: 844 });
      await expect(page.getByTestId('size-table-sideways')).toBeVisible();
      await expect(box).toHaveAttribute('tabindex', '0');
      await box.focus();
      for (let i = 0; i < names.length; i++) {
        for (let k = 0; k < 60 && !(await inView(i)); k++) await page.keyboard.press('ArrowRight');
        expect(await inView(i), `column ${names[i]} scrolled into view at 390 px`).toBe(true);
      }
    });
  });
});
