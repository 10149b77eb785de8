// The page on a real s390x dump (next-s390x-qemu-1g: QEMU's dump-guest-memory of a running big-endian guest): the
// summary names the architecture, What happened says nothing crashed and shows no CPU as the crashing one, the class
// map has makedumpfile's -d 31 counts, and the -c -d 31 export is the CLI's file byte for byte.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { closeDumpPage, expectZlibExportLikeCli, openDumpPage } from '../helpers/page-dump.js';
import { excludedByClass, fixtureCacheDir, realFixtures } from '../helpers/fixtures.js';

const NAME = 'next-s390x-qemu-1g';
const REAL_DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const fixture = existsSync(REAL_DUMP) ? realFixtures().find((f) => f.name === NAME) : undefined;

test.describe.serial('a real s390x dump in the page', () => {
  test.skip(!fixture, `real fixture missing: ${REAL_DUMP} and its makedumpfile oracle (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
  test.setTimeout(240_000);
  let page: Page;

  test.beforeAll(async ({ browser }, info) => {
    page = await openDumpPage(browser, info, REAL_DUMP);
  });

  test.afterAll(() => closeDumpPage(page));

  test('summary: arch s390x, no phys_base, a region-third root (3 levels), no warning', async () => {
    await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-50-s390x');
    await expect(page.getByTestId('fact-arch')).toHaveText('s390x');
    await expect(page.getByTestId('fact-page-size')).toHaveText('4 KiB');
    await expect(page.getByTestId('fact-phys-base')).toHaveText('0x0');
    await expect(page.getByTestId('fact-paging')).toHaveText('3');
    await expect(page.getByTestId('warning')).toHaveCount(0);
  });

  test('what happened: no crash, taken from the running guest; no crashing CPU is named', async () => {
    await expect(page.getByTestId('crash-kind')).toHaveText('No crash', { timeout: 60_000 });
    await expect(page.getByTestId('crash-message')).toHaveText('No crash recorded: this dump was taken from a running system');
    await expect(page.getByTestId('crash-cpu')).toHaveCount(0);
  });

  test("the class map: its legend the record's -d 31 counts", async () => {
    await expect(page.getByTestId('class-map')).toBeVisible({ timeout: 120_000 });
    const want = excludedByClass(fixture!.oracle.counts_by_level['31']);
    for (const [cls, n] of Object.entries(want)) await expect(page.getByTestId(`class-count-${cls}`)).toHaveAttribute('data-pages', String(n));
    expect(Object.values(want).filter((n) => n > 0).length).toBeGreaterThanOrEqual(5);
  });

  test('export -d 31 -c gives the bytes of vmsieve -c -d 31', () => expectZlibExportLikeCli(page, REAL_DUMP));
});
