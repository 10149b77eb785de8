// The page on real kdumps of architectures other than x86_64 (next-arm64-kdump-768m-kaslr, next-ppc64le-kdump-1g,
// next-riscv64-kdump-1g): the summary names the architecture and its instruction pointer, What happened shows the
// architecture's registers and call trace, the class map has the record's -d 31 counts (upstream makedumpfile's for
// riscv64), and the -c -d 31 export is the CLI's file byte for byte.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { closeDumpPage, expectClassCounts, expectExportIsCliFile, openDumpPage } from '../helpers/page-dump.js';
import { fixtureCacheDir, realFixtures, repoRoot } from '../helpers/fixtures.js';

/** What each dump's page shows: its facts, a frame of its call trace, and registers (`lead` open the table in order). */
const DUMPS = [
  {
    name: 'next-arm64-kdump-768m-kaslr',
    release: '6.1.0-57-arm64',
    arch: 'arm64',
    pageSize: '4 KiB',
    physBase: '-0x91dc0000000',
    frame: 'write_sysrq_trigger+0x7c/0xc8',
    // arm64's panic() dumps the stack ("Call trace:") but no registers; pc leads the NT_PRSTATUS ones.
    registers: ['pc', 'sp', 'pstate', 'x0', 'x29', 'x30'],
    lead: ['pc'],
    levels: '4',
  },
  {
    name: 'next-ppc64le-kdump-1g',
    release: '6.1.0-57-powerpc64le',
    arch: 'ppc64le',
    pageSize: '64 KiB',
    physBase: '0x0',
    frame: 'write_sysrq_trigger+0xc8/0x178',
    registers: ['nip', 'gpr1', 'link', 'msr', 'gpr0', 'gpr31'],
    lead: ['nip'],
    levels: '4',
  },
  {
    // Sv57, struct pages on 2 MiB vmemmap pages; riscv64's phys_base is phys_ram_base.
    name: 'next-riscv64-kdump-1g',
    release: '6.12.118+deb13-riscv64',
    arch: 'riscv64',
    pageSize: '4 KiB',
    physBase: '0x80000000',
    frame: 'write_sysrq_trigger+0xaa/0xc6',
    registers: ['pc', 'ra', 'sp', 'gp', 'tp', 'a0', 's11', 't6'],
    // pc, stack, frame pointer and return address.
    lead: ['pc', 'sp', 's0', 'ra'],
    levels: '5',
  },
];

for (const d of DUMPS) {
  const REAL_DUMP = join(fixtureCacheDir, `${d.name}.vmcore`);
  const fixture = existsSync(REAL_DUMP) ? realFixtures().find((f) => f.name === d.name) : undefined;

  test.describe.serial(`a real ${d.arch} kdump in the page`, () => {
    test.skip(!fixture, `real fixture missing: ${REAL_DUMP} and its makedumpfile oracle (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
    test.setTimeout(240_000);
    let page: Page;

    test.beforeAll(async ({ browser }, info) => {
      page = await openDumpPage(browser, info, REAL_DUMP);
    });

    test.afterAll(() => closeDumpPage(page));

    test(`summary: arch ${d.arch}, the crashing CPU at ${d.registers[0]}, phys_base ${d.physBase}, ${d.levels} levels`, async () => {
      const cli = JSON.parse(spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--info', '--json', REAL_DUMP], { encoding: 'utf8' }).stdout);
      await expect(page.getByTestId('fact-release')).toHaveText(d.release);
      await expect(page.getByTestId('fact-arch')).toHaveText(d.arch);
      await expect(page.getByTestId('fact-page-size')).toHaveText(d.pageSize);
      // The crashing CPU and its instruction pointer are shown once, in What happened (not again among the facts).
      await expect(page.getByTestId('crash-cpu')).toHaveText('0', { timeout: 60_000 });
      await expect(page.getByTestId('crash-ip')).toContainText(cli.crashingIp.replace(/^0x/, ''));
      await expect(page.locator('[data-testid="fact-crashing-cpu"], [data-testid="fact-ip"]')).toHaveCount(0);
      await expect(page.getByTestId('fact-phys-base')).toHaveText(d.physBase);
      await expect(page.getByTestId('fact-paging')).toHaveText(d.levels);
      await expect(page.getByTestId('warning')).toHaveCount(0);
    });

    test(`what happened: the sysrq panic, ${d.arch}'s call trace, and the crashing CPU's registers`, async () => {
      await expect(page.getByTestId('crash-kind')).toHaveText('Kernel panic', { timeout: 60_000 });
      await expect(page.getByTestId('crash-message')).toHaveText('Kernel panic - not syncing: sysrq triggered crash');
      await expect(page.getByTestId('crash-task')).toContainText('init');
      await expect(page.getByTestId('call-trace')).toContainText(d.frame);
      const regs = page.getByTestId('crash-registers');
      for (const name of d.registers) await expect(regs).toContainText(name);
      // The instruction pointer leads: the registers are read in the order a person reads them.
      expect((await regs.locator('th').allTextContents()).slice(0, d.lead.length)).toEqual(d.lead);
    });

    test("the class map: several classes, its legend the record's -d 31 counts", async () => {
      await expectClassCounts(page, fixture!.oracle.counts_by_level['31']);
    });

    test('export -d 31 -c gives the bytes of vmsieve -c -d 31', async () => {
      await expectExportIsCliFile(page, REAL_DUMP);
    });
  });
}
