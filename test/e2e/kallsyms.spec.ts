import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { fixtureCacheDir, repoRoot } from '../helpers/fixtures.js';
import { dumpWithFreedSymbolPage, type PatchedDump } from '../helpers/patched-dump.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const REAL_DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const skipReason = existsSync(REAL_DUMP) ? undefined : `the real dump ${REAL_DUMP} is not there (see test/helpers/fixtures.ts)`;

/** What `vmsieve --info --json` says about a dump: the names the page must show come from the same library. */
function cliInfo(path: string) {
  return JSON.parse(execFileSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--info', '--json', path], { encoding: 'utf8', maxBuffer: 1 << 26 }));
}

async function openInPage(page: Page, path: string): Promise<void> {
  await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(path);
  await expect(page.getByTestId('export-card')).toBeVisible({ timeout: 60_000 });
}

async function setLevel(page: Page, level: number): Promise<void> {
  const input = page.getByTestId('export-level');
  await input.fill(String(level));
  await input.press('Tab');
  await expect(input).toHaveValue(String(level));
}

test.describe('kernel symbol names and the keep check in the page', () => {
  test.skip(!!skipReason, skipReason);

  test('What happened names the crashing CPU’s instruction pointer and its text registers', async ({ page }) => {
    const info = cliInfo(REAL_DUMP);
    await openInPage(page, REAL_DUMP);
    const ip = page.getByTestId('crash-ip');
    await expect(ip).toContainText(info.crashingIp);
    await expect(page.getByTestId('crash-ip-symbol')).toHaveText(info.crashingIpSymbol);
    await expect(page.getByTestId('summary-ip-symbol')).toHaveText(info.crashingIpSymbol);
    expect(info.crashingIpSymbol).toMatch(/^[\w.]+\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
    await expect(page.getByTestId('register-symbol-rip')).toHaveText(info.cpuRegisters[0].symbols.rip);
    // The real dump loses nothing a debugger needs at any level: no warning before export.
    await setLevel(page, 31);
    await expect(page.getByTestId('keep-warning')).toHaveCount(0);
  });

  test.describe('a dump whose idt_table page reads as free', () => {
    let patched: PatchedDump;
    test.beforeAll(async () => {
      test.setTimeout(180_000);
      patched = await dumpWithFreedSymbolPage(REAL_DUMP, NAME, 'idt_table');
    });

    test('the export card warns before a level with bit 16 and names idt_table; the size table says which levels lose it', async ({ page }) => {
      test.setTimeout(180_000);
      await openInPage(page, patched.path);
      await setLevel(page, 16);
      const warning = page.getByTestId('keep-warning');
      await expect(warning).toBeVisible({ timeout: 60_000 });
      await expect(warning).toHaveAttribute('data-count', '1');
      await expect(warning).toContainText('idt_table');
      await expect(warning).toContainText(`free page, pfn ${patched.pfn}`);
      await setLevel(page, 15);
      await expect(warning).toHaveCount(0);
      await setLevel(page, 31);
      await expect(page.getByTestId('keep-warning')).toContainText('idt_table');

      await page.getByTestId('analyse-button').click();
      await expect(page.getByTestId('size-table')).toBeVisible({ timeout: 120_000 });
      for (let level = 0; level < 32; level++)
        await expect(page.getByTestId(`keep-${level}`)).toHaveAttribute('data-lost', level & 16 ? '1' : '0');
      await expect(page.getByTestId('keep-16')).toHaveText('1 lost');
      await expect(page.getByTestId('keep-15')).toHaveText('all kept');
    });
  });
});
