// The page on real dumps of architectures other than x86_64 (next-arm64-kdump-768m-kaslr, next-ppc64le-kdump-1g,
// next-s390x-qemu-1g, next-riscv64-kdump-1g): the summary names the architecture, What happened shows a kdump's sysrq panic with the
// architecture's registers and call trace (and nothing crashed in a running s390x guest's QEMU dump), the class map has
// makedumpfile's -d 31 counts, and the -c -d 31 export is the CLI's file byte for byte.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { describeSharedDumpPage, expectRecordClassCounts, expectZlibExportLikeCli } from '../helpers/page-dump.js';
import { repoRoot } from '../helpers/fixtures.js';

const CLI_WARNING = 'vmsieve: warning: ';

interface RealArchDump {
  name: string;
  title: string;
  release: string;
  arch: string;
  pageSize: string;
  physBase: string;
  paging: string;
  /** A kdump's sysrq panic: a frame of its call trace, and the crashing CPU's registers (the first leads the table). */
  panic?: { frame: string; registers: readonly string[] };
}

const DUMPS: readonly RealArchDump[] = [
  {
    name: 'next-arm64-kdump-768m-kaslr',
    title: 'a real arm64 kdump in the page',
    release: '6.1.0-57-arm64',
    arch: 'arm64',
    pageSize: '4 KiB',
    physBase: '-0x91dc0000000',
    paging: '4',
    // arm64's panic() dumps the stack ("Call trace:") but no registers; pc leads the NT_PRSTATUS ones.
    panic: { frame: 'write_sysrq_trigger+0x7c/0xc8', registers: ['pc', 'sp', 'pstate', 'x0', 'x29', 'x30'] },
  },
  {
    name: 'next-ppc64le-kdump-1g',
    title: 'a real ppc64le kdump in the page',
    release: '6.1.0-57-powerpc64le',
    arch: 'ppc64le',
    pageSize: '64 KiB',
    physBase: '0x0',
    paging: '4',
    panic: { frame: 'write_sysrq_trigger+0xc8/0x178', registers: ['nip', 'gpr1', 'link', 'msr', 'gpr0', 'gpr31'] },
  },
  {
    // QEMU's dump-guest-memory of a running big-endian guest; a region-third root table.
    name: 'next-s390x-qemu-1g',
    title: 'a real s390x dump in the page',
    release: '6.1.0-50-s390x',
    arch: 's390x',
    pageSize: '4 KiB',
    physBase: '0x0',
    paging: '3',
  },
  {
    // Sv57, struct pages on 2 MiB vmemmap pages; riscv64's phys_base is phys_ram_base.
    name: 'next-riscv64-kdump-1g',
    title: 'a real riscv64 kdump in the page',
    release: '6.12.118+deb13-riscv64',
    arch: 'riscv64',
    pageSize: '4 KiB',
    physBase: '0x80000000',
    paging: '5',
    panic: { frame: 'write_sysrq_trigger+0xaa/0xc6', registers: ['pc', 'ra', 'sp', 'gp', 'tp', 'a0', 's11', 't6'] },
  },
];

for (const d of DUMPS) {
  describeSharedDumpPage(d.name, d.title, (page, fixture, path) => {
    const at = d.panic ? `, the crashing CPU at ${d.panic.registers[0]}` : '';
    test(`summary: arch ${d.arch}${at}, phys_base ${d.physBase}, ${d.paging} levels, the warnings of vmsieve --dry-run`, async () => {
      await expect(page().getByTestId('fact-release')).toHaveText(d.release);
      await expect(page().getByTestId('fact-arch')).toHaveText(d.arch);
      await expect(page().getByTestId('fact-page-size')).toHaveText(d.pageSize);
      if (d.panic) {
        const cli = JSON.parse(spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--info', '--json', path], { encoding: 'utf8' }).stdout);
        // The crashing CPU and its instruction pointer are shown once, in What happened (not again among the facts).
        await expect(page().getByTestId('crash-cpu')).toHaveText('0', { timeout: 60_000 });
        await expect(page().getByTestId('crash-ip')).toContainText(cli.crashingIp.replace(/^0x/, ''));
        await expect(page().locator('[data-testid="fact-crashing-cpu"], [data-testid="fact-ip"]')).toHaveCount(0);
      }
      await expect(page().getByTestId('fact-phys-base')).toHaveText(d.physBase);
      await expect(page().getByTestId('fact-paging')).toHaveText(d.paging);
      // Once the class map is drawn (its classification's warnings join the dump's), the page warns what the command
      // warns about this dump, word for word: nothing for most, what its VMCOREINFO lacks for some.
      await expect(page().getByTestId('class-map')).toBeVisible({ timeout: 60_000 });
      const dryRun = spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--dry-run', '-d', '31', path], { encoding: 'utf8' });
      const cliWarnings = dryRun.stderr.split('\n').filter((l) => l.startsWith(CLI_WARNING)).map((l) => l.slice(CLI_WARNING.length));
      const shown = async () => (await page().getByTestId('warning').allTextContents()).map((t) => t.trim().replace(/^Warning\s+/, ''));
      await expect.poll(shown).toEqual(cliWarnings);
    });

    const { panic } = d;
    if (panic)
      test(`what happened: the sysrq panic, ${d.arch}'s call trace, and the crashing CPU's registers`, async () => {
        await expect(page().getByTestId('crash-kind')).toHaveText('Kernel panic', { timeout: 60_000 });
        await expect(page().getByTestId('crash-message')).toHaveText('Kernel panic - not syncing: sysrq triggered crash');
        await expect(page().getByTestId('crash-task')).toContainText('init');
        await expect(page().getByTestId('call-trace')).toContainText(panic.frame);
        const regs = page().getByTestId('crash-registers');
        for (const name of panic.registers) await expect(regs).toContainText(name);
        // The instruction pointer leads: the registers are read in the order a person reads them.
        await expect(regs.locator('th').first()).toHaveText(panic.registers[0]);
      });
    else
      test('what happened: no crash, taken from the running guest; no crashing CPU is named', async () => {
        await expect(page().getByTestId('crash-kind')).toHaveText('No crash', { timeout: 60_000 });
        await expect(page().getByTestId('crash-message')).toHaveText('No crash recorded: this dump was taken from a running system');
        await expect(page().getByTestId('crash-cpu')).toHaveCount(0);
      });

    test("the class map: several classes, its legend the record's -d 31 counts", () => expectRecordClassCounts(page(), fixture()));

    test('export -d 31 -c gives the bytes of vmsieve -c -d 31', () => expectZlibExportLikeCli(page(), path));
  });
}
