// The page on a real arm64 kdump (next-arm64-kdump-768m-kaslr): the summary names the architecture and its
// instruction pointer, What happened shows arm64's registers and call trace, the class map has makedumpfile's
// -d 31 counts, and the -c -d 31 export is the CLI's file byte for byte.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { closeDumpPage, expectClassCounts, expectExportIsCliFile, openDumpPage } from '../helpers/page-dump.js';
import { fixtureCacheDir, realFixtures, repoRoot } from '../helpers/fixtures.js';

const NAME = 'next-arm64-kdump-768m-kaslr';
const REAL_DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const fixture = existsSync(REAL_DUMP) ? realFixtures().find((f) => f.name === NAME) : undefined;

test.describe.serial('a real arm64 kdump in the page', () => {
  test.skip(!fixture, `real fixture missing: ${REAL_DUMP} and its makedumpfile oracle (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
  test.setTimeout(240_000);
  let page: Page;

  test.beforeAll(async ({ browser }, info) => {
    page = await openDumpPage(browser, info, REAL_DUMP);
  });

  test.afterAll(() => closeDumpPage(page));

  test('summary: arch arm64, the crashing CPU at pc, PHYS_OFFSET as phys_base, 4 levels', async () => {
    const cli = JSON.parse(spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--info', '--json', REAL_DUMP], { encoding: 'utf8' }).stdout);
    await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-57-arm64');
    await expect(page.getByTestId('fact-arch')).toHaveText('arm64');
    await expect(page.getByTestId('fact-page-size')).toHaveText('4 KiB');
    // The crashing CPU and its pc are shown once, in What happened (not again among the facts).
    await expect(page.getByTestId('crash-cpu')).toHaveText('0', { timeout: 60_000 });
    await expect(page.getByTestId('crash-ip')).toContainText(cli.crashingIp.replace(/^0x/, ''));
    await expect(page.locator('[data-testid="fact-crashing-cpu"], [data-testid="fact-ip"]')).toHaveCount(0);
    await expect(page.getByTestId('fact-phys-base')).toHaveText('-0x91dc0000000');
    await expect(page.getByTestId('fact-paging')).toHaveText('4');
    await expect(page.getByTestId('warning')).toHaveCount(0);
  });

  test("what happened: the sysrq panic, arm64's call trace, and x0–x30, sp, pc, pstate of the crashing CPU", async () => {
    await expect(page.getByTestId('crash-kind')).toHaveText('Kernel panic', { timeout: 60_000 });
    await expect(page.getByTestId('crash-message')).toHaveText('Kernel panic - not syncing: sysrq triggered crash');
    await expect(page.getByTestId('crash-task')).toContainText('init');
    await expect(page.getByTestId('call-trace')).toContainText('write_sysrq_trigger+0x7c/0xc8');
    const regs = page.getByTestId('crash-registers');
    for (const name of ['pc', 'sp', 'pstate', 'x0', 'x29', 'x30']) await expect(regs).toContainText(name);
    // pc leads: the registers are read in the order a person reads them.
    await expect(regs.locator('th').first()).toHaveText('pc');
  });

  test('the class map: several classes, its legend the record\'s -d 31 counts', async () => {
    await expectClassCounts(page, fixture!.oracle.counts_by_level['31']);
  });

  test('export -d 31 -c gives the bytes of vmsieve -c -d 31', async () => {
    await expectExportIsCliFile(page, REAL_DUMP);
  });
});
