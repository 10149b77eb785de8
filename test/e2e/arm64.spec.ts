// The page on a real arm64 kdump (next-arm64-kdump-768m-kaslr): the summary names the architecture and its
// instruction pointer, What happened shows arm64's registers and call trace, the class map has makedumpfile's
// -d 31 counts, and the -c -d 31 export is the CLI's file byte for byte.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { excludedByClass, fixtureCacheDir, realFixtures, repoRoot } from '../helpers/fixtures.js';

const NAME = 'next-arm64-kdump-768m-kaslr';
const REAL_DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const fixture = existsSync(REAL_DUMP) ? realFixtures().find((f) => f.name === NAME) : undefined;

function opfsSha256(page: Page, name: string): Promise<{ size: number; sha256: string }> {
  return page.evaluate(async (name) => {
    const handle = await (await navigator.storage.getDirectory()).getFileHandle(name);
    const file = await handle.getFile();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
    return { size: file.size, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
  }, name);
}

test.describe.serial('a real arm64 kdump in the page', () => {
  test.skip(!fixture, `real fixture missing: ${REAL_DUMP} and its makedumpfile oracle (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
  test.setTimeout(240_000);
  let page: Page;

  test.beforeAll(async ({ browser }, info) => {
    const { baseURL, viewport } = info.project.use;
    const context = await browser.newContext({ baseURL, viewport: viewport ?? { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.addInitScript(() => {
      (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) =>
        (await navigator.storage.getDirectory()).getFileHandle(suggestedName, { create: true });
    });
    await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles(REAL_DUMP);
    await expect(page.getByTestId('summary')).toBeVisible({ timeout: 60_000 });
  });

  test.afterAll(async () => {
    await page?.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) await root.removeEntry(name, { recursive: true });
    });
    await page?.context().close();
  });

  test('summary: arch arm64, the crashing CPU at pc, PHYS_OFFSET as phys_base, 4 levels', async () => {
    const cli = JSON.parse(spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--info', '--json', REAL_DUMP], { encoding: 'utf8' }).stdout);
    await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-57-arm64');
    await expect(page.getByTestId('fact-arch')).toHaveText('arm64');
    await expect(page.getByTestId('fact-page-size')).toHaveText('4 KiB');
    // The summary's lede names the crashing CPU and its pc; the facts list leaves them to What happened.
    expect(cli.crashingCpu).toBe(0);
    await expect(page.getByTestId('summary')).toContainText(`on CPU 0 at ${cli.crashingIp}`);
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
    await expect(page.getByTestId('class-map')).toBeVisible({ timeout: 120_000 });
    const want = excludedByClass(fixture!.oracle.counts_by_level['31']);
    for (const [cls, n] of Object.entries(want)) await expect(page.getByTestId(`class-count-${cls}`)).toHaveAttribute('data-pages', String(n));
    expect(Object.values(want).filter((n) => n > 0).length).toBeGreaterThanOrEqual(5);
  });

  test('export -d 31 -c gives the bytes of vmsieve -c -d 31', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmsieve-arm64-e2e-'));
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
      expect(await opfsSha256(page, name)).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
