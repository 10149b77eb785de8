import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { cacheDir, fixtureCacheDir, realFixtures, repoRoot } from '../helpers/fixtures.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const REAL_DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const fixture = existsSync(REAL_DUMP) ? realFixtures().find((f) => f.name === NAME) : undefined;
const SHOTS = join(cacheDir, 'screenshots');

function cli(args: string[]): any {
  return JSON.parse(execFileSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 }));
}

async function openReal(page: Page) {
  await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(REAL_DUMP);
  await expect(page.getByTestId('level-compare')).toBeVisible({ timeout: 60_000 });
}

async function shoot(page: Page, testid: string, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(300);
    await page.getByTestId(testid).screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test.describe('dump levels on the map', () => {
  test.skip(!fixture, `real fixture ${REAL_DUMP} is absent (decompress ../shared/fixtures/*.vmcore.zst)`);

  test('-d 31 colours exactly what makedumpfile -d 31 keeps; two levels on one map, their sizes are analyse\'s; zoom and X to show the other; advice; nothing leaves the origin', async ({ page, context, baseURL }) => {
    test.setTimeout(240_000);
    const origin = new URL(baseURL!).origin;
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    await openReal(page);

    // makedumpfile on its own kdump output counts each page frame once (on the ELF vmcore, kdump's kernel image twice).
    const refilter = Object.values(fixture!.oracle.refilter as Record<string, { report?: { remaining_pages?: number } }>).find((r) => r.report?.remaining_pages !== undefined)!;
    const a = page.getByTestId('level-map');
    await expect(a).toHaveAttribute('data-level', '31');
    await expect(a).toHaveAttribute('data-kept', String(refilter.report!.remaining_pages), { timeout: 60_000 });
    await expect(page.getByTestId('compare-side-a')).toHaveAttribute('data-kept', String(refilter.report!.remaining_pages));
    await expect(page.getByTestId('compare-side-b')).toHaveAttribute('data-level', '1');
    // (The figures before zero pages are counted: auto-analysis.spec, where the automatic analysis is cancelled.)

    // One map: X shows the other level on the same view, and back; zoom goes down to single pages.
    const canvasA = page.getByTestId('level-map-canvas');
    const before = Number(await canvasA.getAttribute('data-per-cell'));
    await canvasA.focus();
    await page.keyboard.press('+');
    await expect(canvasA).toHaveAttribute('data-per-cell', String(before / 2));
    await page.keyboard.press('x');
    await expect(a).toHaveAttribute('data-level', '1');
    await expect(page.getByTestId('show-b')).toHaveAttribute('aria-checked', 'true');
    await expect(canvasA).toHaveAttribute('data-per-cell', String(before / 2));
    await page.getByTestId('show-a').click();
    await expect(a).toHaveAttribute('data-level', '31');
    await canvasA.focus();
    for (let i = 0; i < 8; i++) await page.keyboard.press('+');
    await expect(canvasA).toHaveAttribute('data-per-cell', '1');
    await canvasA.hover({ position: { x: 20, y: 20 } });
    await expect(page.getByTestId('level-map-tooltip')).toContainText('pfn 0x');
    await expect(page.getByTestId('level-map-tooltip')).toContainText('phys 0x');
    await page.keyboard.press('Home');
    await expect(canvasA).toHaveAttribute('data-per-cell', String(before));

    // Sizes: uncompressed kdump and ELF are exact, so each side equals the CLI's figure.
    await page.getByTestId('export-output').selectOption('kdump-none');
    await page.getByTestId('analyse-button').click();
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 180_000 });
    await expect(page.getByTestId('compare-sentence')).not.toContainText('up to');
    const exact = cli(['--analyse', '--json', '--measure-every', '16', REAL_DUMP]);
    await expect(page.getByTestId('compare-size-a')).toHaveAttribute('data-bytes', String(exact.levels[31].bytes['kdump-none']));
    await expect(page.getByTestId('compare-size-b')).toHaveAttribute('data-bytes', String(exact.levels[1].bytes['kdump-none']));
    await page.getByTestId('compare-level-b').selectOption('17');
    await expect(page.getByTestId('compare-size-b')).toHaveAttribute('data-bytes', String(exact.levels[17].bytes['kdump-none']));
    await page.getByTestId('export-output').selectOption('elf');
    await expect(page.getByTestId('compare-size-a')).toHaveAttribute('data-bytes', String(exact.levels[31].bytes.elf));

    // The chart and the table pick the level (and the chart the output) for export and the left map.
    const plot = page.getByTestId('size-chart-plot');
    await plot.focus();
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('export-level')).toHaveValue('30');
    await expect(a).toHaveAttribute('data-level', '30');
    await page.keyboard.press('ArrowUp');
    await expect(page.getByTestId('export-output')).toHaveValue('kdump-none');
    await page.getByTestId('size-table').locator('tr[data-level="31"]').click();
    await expect(a).toHaveAttribute('data-level', '31');
    await page.getByTestId('export-output').selectOption('kdump-zlib');
    await shoot(page, 'size-chart', 'size-chart');

    // Advice, with the configuration lines.
    const advice = page.getByTestId('advice');
    await expect(advice.getByTestId('advice-config')).toContainText('core_collector makedumpfile', { timeout: 30_000 });
    await expect(advice.getByTestId('advice-config')).toContainText('MAKEDUMP_ARGS=');
    await expect(advice.getByTestId('advice-config')).toContainText('KDUMP_DUMPLEVEL=');
    // The keep check of the recommended level: this dump's -d 31 keeps what crash and drgn need (as --check-level says).
    await expect(advice.getByTestId('advice-debugger')).toHaveAttribute('data-count', '0');
    await page.getByTestId('advice-preset').selectOption({ label: 'ssh to a remote host' });
    await expect(page.getByTestId('advice-write')).toHaveValue('30');
    await advice.getByTestId('advice-use').click();
    await expect(page.getByTestId('export-level')).toHaveValue((await advice.getAttribute('data-level'))!);

    await shoot(page, 'level-compare', 'level-compare');
    await shoot(page, 'advice', 'advice');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('level-compare').scrollIntoViewIfNeeded();
    mkdirSync(SHOTS, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SHOTS, `page-1280x800-${scheme}.png`) });
    }

    // On a narrow screen the comparison and export stack: the export card starts below the comparison.
    await page.setViewportSize({ width: 720, height: 900 });
    const compareBox = (await page.getByTestId('level-compare').boundingBox())!;
    const exportBox = (await page.getByTestId('export-card').boundingBox())!;
    expect(exportBox.y).toBeGreaterThan(compareBox.y + compareBox.height - 1);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('level-compare').screenshot({ path: join(SHOTS, 'level-compare-narrow-light.png') });

    const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(foreign, `requests outside ${origin}`).toEqual([]);
  });

  test('a kdump-compressed file: compared against its own level by default, analysed, no file offsets; the map marks what it lacks', async ({ page }) => {
    test.setTimeout(240_000);
    const kdump = join(cacheDir, 'e2e-levels', `${NAME}.l-d1.kdump`);
    if (!existsSync(kdump)) {
      mkdirSync(join(cacheDir, 'e2e-levels'), { recursive: true });
      execFileSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-l', '-d', '1', '-f', REAL_DUMP, kdump], { stdio: 'ignore' });
    }
    await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles(kdump);
    await expect(page.getByTestId('level-compare')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('compare-side-b')).toHaveAttribute('data-level', '1');
    await expect(page.getByTestId('segments-table')).not.toContainText('0x-1');
    await expect(page.getByTestId('no-file-offset').first()).toBeVisible();
    const exact = cli(['--analyse', '--json', '--measure-every', '16', kdump]);
    // The hwpoison and offline pages a -d 1 file lacks are marked as not in this file.
    const b = page.getByTestId('compare-side-b');
    const lacking = fixture!.oracle.counts_by_level['1'].hwpoison_pages + fixture!.oracle.counts_by_level['1'].offline_pages;
    if (lacking > 0) await expect(page.getByTestId('level-compare')).toContainText('not in this file', { timeout: 60_000 });
    await page.getByTestId('export-output').selectOption('kdump-none');
    await page.getByTestId('analyse-button').click();
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 180_000 });
    await expect(b).toHaveAttribute('data-zero-known', 'true');
    await expect(b).toHaveAttribute('data-kept', String(exact.levels[1].pages));
    await expect(page.getByTestId('compare-size-a')).toHaveAttribute('data-bytes', String(exact.levels[31].bytes['kdump-none']));
    await expect(page.getByTestId('compare-size-b')).toHaveAttribute('data-bytes', String(exact.levels[1].bytes['kdump-none']));
    await shoot(page, 'level-compare', 'level-compare-kdump');
  });
});
