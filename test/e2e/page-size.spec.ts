// The page on a real dump with 16 KiB pages (fixtures/real's arm64 6.12 kdump): the summary says 16 KiB, the class
// map's legend has makedumpfile's -d 31 counts and its cells are sized in those pages, and both the plain -d 31
// export (makedumpfile's bytes) and the -l -d 31 one (the CLI's bytes) come out of the browser's workers.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { closeDumpPage, openDumpPage, opfsFile } from '../helpers/page-dump.js';
import { excludedByClass, projectFixtureCacheDir, realFixtures, repoRoot } from '../helpers/fixtures.js';

const NAME = 'pages-arm64-16k-kdump-512m';
const REAL_DUMP = join(projectFixtureCacheDir, `${NAME}.vmcore`);
const fixture = existsSync(REAL_DUMP) ? realFixtures().find((f) => f.name === NAME) : undefined;

test.describe.serial('a real 16 KiB-page dump in the page', () => {
  test.skip(!fixture, `real fixture missing: ${REAL_DUMP} (the vitest fixture setup decompresses fixtures/real/*.vmcore.zst)`);
  test.setTimeout(240_000);
  let page: Page;

  test.beforeAll(async ({ browser }, info) => {
    page = await openDumpPage(browser, info, REAL_DUMP);
  });

  test.afterAll(() => closeDumpPage(page));

  test('summary: 16 KiB pages, 3 table levels', async () => {
    await expect(page.getByTestId('fact-page-size')).toHaveText('16 KiB');
    await expect(page.getByTestId('fact-paging')).toHaveText('3');
  });

  test("the class map: the record's -d 31 counts, cells of whole 16 KiB pages", async () => {
    await expect(page.getByTestId('class-map')).toBeVisible({ timeout: 120_000 });
    const want = excludedByClass(fixture!.oracle.counts_by_level['31']);
    for (const [cls, n] of Object.entries(want)) await expect(page.getByTestId(`class-count-${cls}`)).toHaveAttribute('data-pages', String(n));
    // the map's 4096 buckets over max_mapnr pfns: the smallest power of two of pfns per cell that fits
    let perCell = 1;
    while (Math.ceil(fixture!.oracle.counts_by_level['31'].total_pages / perCell) > 4096) perCell *= 2;
    await expect(page.getByTestId('class-map-scale')).toContainText(`Each cell ${(perCell * 16384) / 1024} KiB (${perCell} pages)`);
  });

  /** Exports at -d 31 and hashes the file once the result shows `size` (both exports write NAME.vmcore.d31.kdump). */
  async function exportAs(output: string, size: number): Promise<{ size: number; sha256: string } | null> {
    await page.getByTestId('export-output').selectOption(output);
    const level = page.getByTestId('export-level');
    await level.fill('31');
    await level.press('Tab');
    await page.getByTestId('export-button').click();
    await expect(page.getByTestId('export-result')).toHaveAttribute('data-size', String(size), { timeout: 180_000 });
    const name = (await page.getByTestId('export-name').textContent())!;
    return opfsFile(page, name);
  }

  test("export -d 31 uncompressed is makedumpfile's file", async () => {
    const want = (fixture!.oracle.matrix as Array<{ format_requested: string; dump_level: number; output_sha256: string; output_size: number }>).find(
      (m) => m.format_requested === 'kdump-uncompressed' && m.dump_level === 31,
    )!;
    expect(await exportAs('kdump-none', want.output_size)).toEqual({ size: want.output_size, sha256: want.output_sha256 });
  });

  test('export -l -d 31 gives the bytes of vmsieve -l -d 31', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmsieve-16k-e2e-'));
    try {
      const out = join(dir, 'cli.l31');
      expect(spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-l', '-d', '31', REAL_DUMP, out]).status).toBe(0);
      const bytes = readFileSync(out);
      expect(await exportAs('kdump-lzo', bytes.length)).toEqual({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
