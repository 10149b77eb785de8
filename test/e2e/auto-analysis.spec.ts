import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { fixtureCacheDir, realFixtures, repoRoot } from '../helpers/fixtures.js';
import { cliOutputDigest } from '../helpers/cli-export.js';
import { computeWorkers, opfsFile, saveIntoOpfs } from '../helpers/page-dump.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const REAL_DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const fixture = existsSync(REAL_DUMP) ? realFixtures().find((f) => f.name === NAME) : undefined;
const SAMPLE = join(repoRoot, 'dist/sample.vmcore');

interface Analysis {
  levels: Array<{ level: number; pages: number; bytes: Record<string, number> }>;
}

function analyse(path: string): Analysis {
  const out = execFileSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--analyse', '--json', '--measure-every', '16', path], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out) as Analysis;
}

/**
 * Records each state the export card's status takes (data-state, data-automatic), and, when `act` is given, clicks
 * that button the moment the automatic analysis of `file` has read its first bytes: a step the test could not time
 * from outside, as the analysis of this dump takes about a second.
 */
async function watchStatus(page: Page, act?: { file: string; click: string }): Promise<void> {
  await page.evaluate((act) => {
    const w = window as unknown as { __states: string[]; __clicked: boolean };
    w.__states = [];
    w.__clicked = false;
    new MutationObserver(() => {
      const status = document.querySelector('[data-testid="export-status"]');
      if (!status) return;
      const state = `${status.getAttribute('data-state')}${status.getAttribute('data-automatic') === 'true' ? ' (automatic)' : ''}`;
      if (w.__states.at(-1) !== state) w.__states.push(state);
      if (!act || w.__clicked || status.getAttribute('data-automatic') !== 'true') return;
      const read = Number(status.querySelector('[data-testid="progress-bar"]')?.getAttribute('data-done') ?? 0);
      const file = document.querySelector('[data-testid="export-card"]')?.closest('main')?.textContent ?? '';
      if (read > 0 && file.includes(act.file)) {
        w.__clicked = true;
        document.querySelector<HTMLButtonElement>(`[data-testid="${act.click}"]`)!.click();
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-automatic', 'data-done'] });
  }, act);
}

const states = (page: Page) => page.evaluate(() => (window as unknown as { __states: string[] }).__states);
const clicked = (page: Page) => page.evaluate(() => (window as unknown as { __clicked: boolean }).__clicked);

async function open(page: Page, act?: { file: string; click: string }, { sample = false } = {}): Promise<void> {
  if (!sample) await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  await page.goto('/');
  if (sample) await expect(page.getByTestId('file-name')).toHaveText('sample.vmcore', { timeout: 60_000 });
  await watchStatus(page, act);
  await page.getByTestId('file-input').setInputFiles(REAL_DUMP);
  await expect(page.getByTestId('export-card')).toBeVisible({ timeout: 60_000 });
}

test.describe('the quick analysis starts by itself', () => {
  test.skip(!fixture, `real fixture missing: ${REAL_DUMP} and its makedumpfile oracle (run the fixture setup)`);
  test.setTimeout(180_000);

  test('once the class map is drawn; its figures are marked as estimates with their sample, within 3% of the exact ones; the level maps then count zero pages', async ({ page }) => {
    await open(page);
    const b = page.getByTestId('compare-side-b');
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 120_000 });
    // Nothing was clicked: the analysis ran by itself, shown as running and automatic, after the class map.
    expect(await states(page)).toEqual(['none', 'analyse (automatic)', 'analysed']);
    await expect(page.getByTestId('class-map')).toBeVisible();

    // A 288 MiB file is read whole: page counts and uncompressed sizes are exact, compressed ones sampled and marked.
    const exact = analyse(REAL_DUMP);
    await expect(page.getByTestId('size-table')).toHaveAttribute('data-estimated', 'true');
    for (const level of [1, 31]) {
      const pages = page.getByTestId(`pages-${level}`);
      await expect(pages).toHaveAttribute('data-estimated', 'false');
      expect(Number((await pages.textContent())!.replace(/,/g, ''))).toBe(exact.levels[level]!.pages);
      await expect(page.getByTestId(`size-${level}-kdump-none`)).toHaveAttribute('data-bytes', String(exact.levels[level]!.bytes['kdump-none']));
      const zlib = page.getByTestId(`size-${level}-kdump-zlib`);
      await expect(zlib).toHaveAttribute('data-estimated', 'true');
      await expect(zlib).toContainText('≈');
      const shown = Number(await zlib.getAttribute('data-bytes'));
      expect(Math.abs(shown / exact.levels[level]!.bytes['kdump-zlib']! - 1), `-d ${level} zlib ${shown}`).toBeLessThan(0.03);
    }
    await expect(page.getByTestId('size-table').locator('xpath=ancestor::div[1]/following-sibling::p[1]')).toContainText(/estimated from a sample: 1 page in [\d,]+ compressed/);
    await expect(page.getByTestId('compare-size-a')).toContainText('≈');
    await expect(page.getByTestId('compare-sample')).toContainText(/Sizes marked ≈ are estimated from a sample: 1 page in [\d,]+ compressed/);
    await expect(page.getByTestId('size-chart')).toContainText(/sizes marked ≈ are estimated from a sample: 1 page in [\d,]+ compressed/);
    // Every page was read, so the maps know every zero page: the comparison is exact, no longer a bound.
    await expect(b).toHaveAttribute('data-zero-known', 'true');
    await expect(page.getByTestId('compare-kept-b')).not.toContainText('not counted');
    await expect(page.getByTestId('compare-sentence')).not.toContainText('up to');
  });

  test('Cancel stops it, its workers go, and the page is usable: another analysis and the maps work', async ({ page }) => {
    await open(page, { file: NAME, click: 'cancel-button' });
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'cancelled', { timeout: 30_000 });
    expect(await clicked(page)).toBe(true);
    expect(await states(page)).toEqual(['none', 'analyse (automatic)', 'cancelled']);
    await expect(page.getByTestId('size-table')).toHaveCount(0);
    await expect(page.getByTestId('error-panel')).toHaveCount(0);
    await expect.poll(() => computeWorkers(page), { timeout: 5_000 }).toBe(0);
    // It does not start again by itself; the maps still say their figures are bounds.
    await page.waitForTimeout(500);
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'cancelled');
    await expect(page.getByTestId('compare-kept-b')).toContainText('zero pages not counted yet');
    // -d 1's zero pages outside what -d 31 keeps are unknown: the sentence's figures are upper bounds, and say so.
    await expect(page.getByTestId('compare-side-b')).toHaveAttribute('data-zero-known', 'false');
    await expect(page.getByTestId('compare-sentence')).toContainText('-d 31 leaves out up to');
    await expect(page.getByTestId('compare-sentence')).toContainText('Zero pages are not counted yet');

    const canvas = page.getByTestId('level-map-canvas');
    const before = Number(await canvas.getAttribute('data-per-cell'));
    await canvas.focus();
    await page.keyboard.press('+');
    await expect(canvas).toHaveAttribute('data-per-cell', String(before / 2));
    await page.getByTestId('analyse-button').click();
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 120_000 });
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-automatic', 'false');
    await expect(page.getByTestId('size-table')).toBeVisible();
  });

  test('Analyse sizes replaces it: the user\'s analysis runs in its place and ends analysed', async ({ page }) => {
    await open(page, { file: NAME, click: 'analyse-button' });
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 120_000 });
    expect(await clicked(page)).toBe(true);
    expect(await states(page)).toEqual(['none', 'analyse (automatic)', 'analyse', 'analysed']);
    await expect(page.getByTestId('error-panel')).toHaveCount(0);
    await expect(page.getByTestId('size-31-kdump-none')).toHaveAttribute('data-bytes', String(analyse(REAL_DUMP).levels[31]!.bytes['kdump-none']));
  });

  test('Export replaces it: the export runs in its place and writes the CLI\'s bytes', async ({ page }) => {
    await saveIntoOpfs(page);
    await open(page, { file: NAME, click: 'export-button' });
    await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 120_000 });
    expect(await clicked(page)).toBe(true);
    expect(await states(page)).toEqual(['none', 'analyse (automatic)', 'export', 'exported']);
    const want = cliOutputDigest(['-c', '-d', '31'], REAL_DUMP);
    expect(await opfsFile(page, `${NAME}.vmcore.d31.kdump`)).toEqual(want);
  });

  test('opening another dump during it shows that dump, with its own analysis', async ({ page }) => {
    // The page opens the bundled sample first; the real dump replaces it, and the sample button, clicked during the
    // real dump's analysis, brings the sample back.
    await open(page, { file: NAME, click: 'sample-button' }, { sample: true });
    await expect.poll(() => clicked(page), { timeout: 60_000 }).toBe(true);
    await expect(page.getByTestId('file-name')).toHaveText('sample.vmcore', { timeout: 60_000 });
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 120_000 });
    await expect(page.getByTestId('error-panel')).toHaveCount(0);
    // Its figures are the sample's, not a late answer about the dump opened before.
    const want = analyse(SAMPLE);
    for (const level of [1, 31]) await expect(page.getByTestId(`size-${level}-kdump-none`)).toHaveAttribute('data-bytes', String(want.levels[level]!.bytes['kdump-none']));
  });
});
