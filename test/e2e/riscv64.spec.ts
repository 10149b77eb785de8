// The page on a real riscv64 kdump (next-riscv64-kdump-1g: Sv57, struct pages on 2 MiB vmemmap pages): the summary
// names the architecture, phys_ram_base and the five levels, What happened shows riscv's registers and call trace,
// the class map has the upstream makedumpfile record's -d 31 counts, and the -c -d 31 export is the CLI's file.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { closeDumpPage, expectClassCounts, expectExportIsCliFile, openDumpPage } from '../helpers/page-dump.js';
import { fixtureCacheDir, realFixtures, repoRoot } from '../helpers/fixtures.js';

const NAME = 'next-riscv64-kdump-1g';
const REAL_DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const fixture = existsSync(REAL_DUMP) ? realFixtures().find((f) => f.name === NAME) : undefined;

test.describe.serial('a real riscv64 kdump in the page', () => {
  test.skip(!fixture, `real fixture missing: ${REAL_DUMP} and its makedumpfile oracle (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
  test.setTimeout(240_000);
  let page: Page;

  test.beforeAll(async ({ browser }, info) => {
    page = await openDumpPage(browser, info, REAL_DUMP);
  });

  test.afterAll(() => closeDumpPage(page));

  test('summary: arch riscv64, the crashing CPU at pc, phys_ram_base as phys_base, 5 levels', async () => {
    const cli = JSON.parse(spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--info', '--json', REAL_DUMP], { encoding: 'utf8' }).stdout);
    await expect(page.getByTestId('fact-release')).toHaveText('6.12.118+deb13-riscv64');
    await expect(page.getByTestId('fact-arch')).toHaveText('riscv64');
    await expect(page.getByTestId('fact-page-size')).toHaveText('4 KiB');
    await expect(page.getByTestId('crash-cpu')).toHaveText('0', { timeout: 60_000 });
    await expect(page.getByTestId('crash-ip')).toContainText(cli.crashingIp.replace(/^0x/, ''));
    await expect(page.getByTestId('fact-phys-base')).toHaveText('0x80000000');
    await expect(page.getByTestId('fact-paging')).toHaveText('5');
  });

  test("what happened: the sysrq panic, riscv's call trace, and pc, sp, s0, ra, x1–x31 of the crashing CPU", async () => {
    await expect(page.getByTestId('crash-kind')).toHaveText('Kernel panic', { timeout: 60_000 });
    await expect(page.getByTestId('crash-message')).toHaveText('Kernel panic - not syncing: sysrq triggered crash');
    await expect(page.getByTestId('crash-task')).toContainText('init');
    await expect(page.getByTestId('call-trace')).toContainText('write_sysrq_trigger+0xaa/0xc6');
    const regs = page.getByTestId('crash-registers');
    for (const name of ['pc', 'ra', 'sp', 'gp', 'tp', 'a0', 's11', 't6']) await expect(regs).toContainText(name);
    // pc, stack, frame pointer and return address lead: the registers are read in the order a person reads them.
    expect((await regs.locator('th').allTextContents()).slice(0, 4)).toEqual(['pc', 'sp', 's0', 'ra']);
  });

  test("the class map: several classes, its legend the upstream record's -d 31 counts", async () => {
    await expectClassCounts(page, fixture!.oracle.counts_by_level['31']);
  });

  test('export -d 31 -c gives the bytes of vmsieve -c -d 31', async () => {
    await expectExportIsCliFile(page, REAL_DUMP);
  });
});
