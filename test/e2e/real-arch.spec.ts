// The page on real kdumps of architectures other than x86_64 (next-arm64-kdump-768m-kaslr, next-ppc64le-kdump-1g):
// the summary names the architecture and its instruction pointer, What happened shows the architecture's registers
// and call trace, the class map has makedumpfile's -d 31 counts, and the -c -d 31 export is the CLI's file byte for byte.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { closeDumpPage, openDumpPage, opfsFile } from '../helpers/page-dump.js';
import { excludedByClass, fixtureCacheDir, realFixtures, repoRoot } from '../helpers/fixtures.js';

/** What each dump's page shows: its facts, a frame of its call trace, and registers (the first leads the table). */
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
  },
  {
    name: 'next-ppc64le-kdump-1g',
    release: '6.1.0-57-powerpc64le',
    arch: 'ppc64le',
    pageSize: '64 KiB',
    physBase: '0x0',
    frame: 'write_sysrq_trigger+0xc8/0x178',
    registers: ['nip', 'gpr1', 'link', 'msr', 'gpr0', 'gpr31'],
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

    test(`summary: arch ${d.arch}, the crashing CPU at ${d.registers[0]}, phys_base ${d.physBase}, 4 levels`, async () => {
      const cli = JSON.parse(spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--info', '--json', REAL_DUMP], { encoding: 'utf8' }).stdout);
      await expect(page.getByTestId('fact-release')).toHaveText(d.release);
      await expect(page.getByTestId('fact-arch')).toHaveText(d.arch);
      await expect(page.getByTestId('fact-page-size')).toHaveText(d.pageSize);
      // The crashing CPU and its instruction pointer are shown once, in What happened (not again among the facts).
      await expect(page.getByTestId('crash-cpu')).toHaveText('0', { timeout: 60_000 });
      await expect(page.getByTestId('crash-ip')).toContainText(cli.crashingIp.replace(/^0x/, ''));
      await expect(page.locator('[data-testid="fact-crashing-cpu"], [data-testid="fact-ip"]')).toHaveCount(0);
      await expect(page.getByTestId('fact-phys-base')).toHaveText(d.physBase);
      await expect(page.getByTestId('fact-paging')).toHaveText('4');
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
      await expect(regs.locator('th').first()).toHaveText(d.registers[0]);
    });

    test("the class map: several classes, its legend the record's -d 31 counts", async () => {
      await expect(page.getByTestId('class-map')).toBeVisible({ timeout: 120_000 });
      const want = excludedByClass(fixture!.oracle.counts_by_level['31']);
      for (const [cls, n] of Object.entries(want)) await expect(page.getByTestId(`class-count-${cls}`)).toHaveAttribute('data-pages', String(n));
      expect(Object.values(want).filter((n) => n > 0).length).toBeGreaterThanOrEqual(5);
    });

    test('export -d 31 -c gives the bytes of vmsieve -c -d 31', async () => {
      const dir = mkdtempSync(join(tmpdir(), `vmsieve-${d.arch}-e2e-`));
      try {
        const out = join(dir, 'cli.c31');
        expect(spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-c', '-d', '31', REAL_DUMP, out]).status).toBe(0);
        const bytes = readFileSync(out);
        const want = { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
        await page.getByTestId('export-output').selectOption('kdump-zlib');
        const level = page.getByTestId('export-level');
        await level.fill('31');
        await level.press('Tab');
        await page.getByTestId('export-button').click();
        await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 180_000 });
        const name = (await page.getByTestId('export-name').textContent())!;
        expect(await opfsFile(page, name)).toEqual(want);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
