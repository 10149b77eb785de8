import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { cacheDir, excludedByClass, fixtureCacheDir, realFixtures, repoRoot } from '../helpers/fixtures.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const REAL_DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const fixture = existsSync(REAL_DUMP) ? realFixtures().find((f) => f.name === NAME) : undefined;
const SAMPLE = join(repoRoot, 'dist/sample.vmcore');
const SHOTS = join(cacheDir, 'screenshots');

type Counted = 'kept' | 'zero' | 'cache' | 'cachePrivate' | 'user' | 'free' | 'hwpoison' | 'offline' | 'notInDump';
const CLASSES: Counted[] = ['kept', 'zero', 'cache', 'cachePrivate', 'user', 'free', 'hwpoison', 'offline', 'notInDump'];

/** The legend's page count per class: the number shown, checked against the raw count the item carries. */
async function legendCounts(page: Page): Promise<Record<Counted, number>> {
  const out = {} as Record<Counted, number>;
  for (const c of CLASSES) {
    const item = page.getByTestId(`class-count-${c}`);
    const raw = Number(await item.getAttribute('data-pages'));
    await expect(item.locator('.pages')).toHaveText(raw.toLocaleString('en-US'));
    out[c] = raw;
  }
  return out;
}

/** Pixels of the map's canvas that are painted (not transparent). */
function paintedPixels(page: Page): Promise<number> {
  return page.getByTestId('class-map').locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
}

test.describe('the page-class memory map', () => {
  test('the bundled sample: the map is drawn, its legend is vmsieve -d 31, and the keyboard walks the cells', async ({ page }) => {
    test.skip(!existsSync(SAMPLE), `${SAMPLE} is absent: run npm run build:web first`);
    const stats = JSON.parse(execFileSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--dry-run', '--show-stats', '--json', '-d', '31', SAMPLE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    await page.goto('/');
    await expect(page.getByTestId('sample-badge')).toBeVisible();
    const map = page.getByTestId('class-map');
    await expect(map).toBeVisible({ timeout: 60_000 });

    const counts = await legendCounts(page);
    expect(counts.zero).toBe(stats.pages.zero);
    expect(counts.cache).toBe(stats.pages.cache);
    expect(counts.cachePrivate).toBe(stats.pages.cachePrivate);
    expect(counts.user).toBe(stats.pages.user);
    expect(counts.free).toBe(stats.pages.free);
    expect(counts.hwpoison).toBe(stats.pages.hwpoison);
    expect(counts.offline).toBe(stats.pages.offline);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(stats.total);
    expect(await paintedPixels(page)).toBeGreaterThan(10_000);

    const buckets = Number(await map.getAttribute('data-buckets'));
    expect(buckets).toBeGreaterThan(128);
    const live = page.getByTestId('class-map-live');
    const tooltip = page.getByTestId('class-map-tooltip');

    await page.getByTestId('sample-button').focus();
    await expect(tooltip).toHaveCount(0);
    // The map is in the tab order, after the page's buttons and the drop zone.
    for (let i = 0; i < 40 && !(await map.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    await expect(map).toBeFocused();
    await expect(map).toHaveAttribute('data-selected', '0');
    await expect(live).toContainText(`Cell 1 of ${buckets.toLocaleString('en-US')}: 0x0–`);
    await expect(tooltip).toBeVisible();
    await expect(tooltip.locator('.t-range')).toHaveText(/^0x0–0x[0-9a-f]+$/);

    await page.keyboard.press('ArrowRight');
    await expect(map).toHaveAttribute('data-selected', '1');
    await expect(live).toContainText('Cell 2 of');
    await page.keyboard.press('End');
    const rowEnd = Number(await map.getAttribute('data-selected'));
    expect([63, 127]).toContain(rowEnd); // the grid has 128 columns, 64 on a narrow page
    const cols = rowEnd + 1;
    await page.keyboard.press('ArrowDown');
    await expect(map).toHaveAttribute('data-selected', String(rowEnd + cols));
    await page.keyboard.press('Home');
    await expect(map).toHaveAttribute('data-selected', String(cols));
    await page.keyboard.press('ArrowLeft');
    await expect(map).toHaveAttribute('data-selected', String(cols - 1));
    await page.keyboard.press('Control+End');
    await expect(map).toHaveAttribute('data-selected', String(buckets - 1));
    await expect(live).toContainText(`Cell ${buckets.toLocaleString('en-US')} of`);
    // The last cell ends at max_mapnr.
    await expect(tooltip.locator('.t-range')).toHaveText(new RegExp(`–0x${(stats.total * 4096).toString(16)}$`));
    await page.keyboard.press('ArrowRight');
    await expect(map).toHaveAttribute('data-selected', String(buckets - 1));
    await page.keyboard.press('Escape');
    await expect(tooltip).toHaveCount(0);
    await page.keyboard.press('Control+Home');
    await expect(map).toHaveAttribute('data-selected', '0');
    await expect(tooltip).toBeVisible();

    // The pointer shows the cell under it.
    await map.evaluate((el) => (el as HTMLElement).blur());
    await expect(tooltip).toHaveCount(0);
    const box = (await map.locator('canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width - 3, box.y + 10);
    await expect(tooltip).toBeVisible();
    await expect(tooltip.locator('.t-range')).toHaveText(/^0x[0-9a-f]+–0x[0-9a-f]+$/);

    mkdirSync(SHOTS, { recursive: true });
    await map.locator('..').locator('..').screenshot({ path: join(SHOTS, 'class-map-sample.png'), animations: 'disabled' });
  });

  test('the real kdump dump: the legend shows makedumpfile -d 31 counts', async ({ page }) => {
    test.skip(!fixture, `real fixture missing: ${REAL_DUMP} and its makedumpfile oracle (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
    test.setTimeout(180_000);
    await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles(REAL_DUMP);
    await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-56-amd64', { timeout: 60_000 });
    await expect(page.getByTestId('class-map')).toBeVisible({ timeout: 120_000 });

    const want = fixture!.oracle.counts_by_level['31'];
    const got = await legendCounts(page);
    expect({ zero: got.zero, cache: got.cache, cachePrivate: got.cachePrivate, user: got.user, free: got.free, hwpoison: got.hwpoison, offline: got.offline }).toEqual(excludedByClass(want));
    expect(Object.values(got).reduce((a, b) => a + b, 0)).toBe(want.total_pages);
    // makedumpfile counts the 13,360 kernel-image pages twice (fixtures README); the map counts page frames once.
    expect(want.original_pages - (want.total_pages - got.notInDump)).toBe(13_360);
    await expect(page.getByTestId('class-map-block')).toContainText('13,360 higher');
    expect(await paintedPixels(page)).toBeGreaterThan(10_000);

    mkdirSync(SHOTS, { recursive: true });
    await page.locator('section[aria-labelledby="map-title"]').screenshot({ path: join(SHOTS, 'memory-map-section.png'), animations: 'disabled' });
    const block = page.getByTestId('class-map-block');
    await page.getByTestId('class-map').focus();
    await page.keyboard.press('PageDown');
    for (let i = 0; i < 50; i++) await page.keyboard.press('ArrowRight');
    await block.screenshot({ path: join(SHOTS, 'class-map-real.png'), animations: 'disabled' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await block.screenshot({ path: join(SHOTS, 'class-map-real-dark.png'), animations: 'disabled' });
    await page.keyboard.press('Control+End');
    await block.screenshot({ path: join(SHOTS, 'class-map-real-dark-end.png'), animations: 'disabled' });
  });
});
