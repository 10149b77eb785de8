import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { cliOutputDigest, fileDigest } from '../helpers/cli-export.js';
import { opfsFileList } from '../helpers/opfs.js';
import { computeWorkers, opfsFile } from '../helpers/page-dump.js';
import { fixtureCacheDir, realFixtures, repoRoot } from '../helpers/fixtures.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const REAL_DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const fixture = existsSync(REAL_DUMP) ? realFixtures().find((f) => f.name === NAME) : undefined;

interface MatrixEntry {
  format_requested: string;
  dump_level: number;
  output_size: number;
  output_sha256: string;
  rc: number;
}

function oracle(format: string, level: number): MatrixEntry {
  const e = (fixture!.oracle.matrix as MatrixEntry[]).find((m) => m.format_requested === format && m.dump_level === level && m.rc === 0);
  if (!e) throw new Error(`no makedumpfile ${format} -d ${level} run in ${fixture!.oracleFile}`);
  return e;
}

async function setLevel(page: Page, level: number): Promise<void> {
  const input = page.getByTestId('export-level');
  await input.fill(String(level));
  await input.press('Tab');
  await expect(input).toHaveValue(String(level));
}

async function setWorkers(page: Page, n: number): Promise<void> {
  await page.getByTestId('export-workers').fill(String(n));
}

/** One page for the file: the real dump is opened once; exports go into OPFS through a stubbed save dialog. */
test.describe.serial('analyse and export a real kdump vmcore in the browser', () => {
  test.skip(!fixture, `real fixture missing: ${REAL_DUMP} and its makedumpfile oracle (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
  test.setTimeout(180_000);

  let page: Page;
  let zlib31 = 0;

  test.beforeAll(async ({ browser }, info) => {
    const { baseURL, viewport } = info.project.use;
    const context = await browser.newContext({ baseURL, viewport: viewport ?? { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    // The save dialog cannot be driven headless: it returns a file in the origin-private file system instead, which
    // goes through the same FileSystemWritableFileStream path (createWritable, positional writes, abort on cancel).
    await page.addInitScript(() => {
      const w = window as unknown as { showSaveFilePicker: unknown; __savedAs: string[] };
      w.__savedAs = [];
      w.showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) => {
        w.__savedAs.push(suggestedName);
        const root = await navigator.storage.getDirectory();
        return root.getFileHandle(suggestedName, { create: true });
      };
    });
    await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
    await page.goto('/');
    await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) await root.removeEntry(name, { recursive: true });
    });
    await page.getByTestId('file-input').setInputFiles(REAL_DUMP);
    await expect(page.getByTestId('export-card')).toBeVisible({ timeout: 60_000 });
  });

  test.afterAll(async () => {
    await page?.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) await root.removeEntry(name, { recursive: true });
    });
    await page?.context().close();
  });

  test('Analyse fills the table: kdump-none and ELF sizes equal makedumpfile’s output sizes; measuring exactly refines the codec sizes', async () => {
    await setWorkers(page, 4);
    await page.getByTestId('analyse-button').click();
    const table = page.getByTestId('size-table');
    // A first estimate from sampled windows, then a pass over every page that compresses a sample of pages.
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 120_000 });
    await expect(table).toHaveAttribute('data-estimated', 'true');
    await expect(table.locator('tbody tr')).toHaveCount(32);

    const size = async (level: number, kind: string) => Number(await page.getByTestId(`size-${level}-${kind}`).getAttribute('data-bytes'));
    const checkExactKinds = async () => {
      expect(await size(31, 'kdump-none')).toBe(oracle('kdump-uncompressed', 31).output_size);
      expect(await size(31, 'elf')).toBe(oracle('elf', 31).output_size);
      expect(await size(0, 'kdump-none')).toBe(oracle('kdump-uncompressed', 0).output_size);
    };
    await checkExactKinds();
    await expect(page.getByTestId('size-31-kdump-none')).toHaveAttribute('data-estimated', 'false');
    await expect(page.getByTestId('size-31-kdump-zlib')).toHaveAttribute('data-estimated', 'true');
    await expect(page.getByTestId('size-31-kdump-zlib')).toContainText('≈');
    const sampledZlib31 = await size(31, 'kdump-zlib');

    await page.getByTestId('measure-exactly-button').click();
    await expect(table).toHaveAttribute('data-estimated', 'false', { timeout: 120_000 });
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed');
    await expect(page.getByTestId('measure-exactly-button')).toHaveCount(0);
    await checkExactKinds();
    zlib31 = await size(31, 'kdump-zlib');
    expect(zlib31).toBeGreaterThan(0);
    expect(zlib31).toBeLessThan(await size(31, 'kdump-none'));
    expect(Math.abs(sampledZlib31 - zlib31) / zlib31, `sampled ${sampledZlib31} vs exact ${zlib31}`).toBeLessThan(0.03);

    // The chosen level and output are highlighted.
    await expect(table.locator('tr[data-level="31"]')).toHaveAttribute('aria-current', 'true');
    await expect(page.getByTestId('size-31-kdump-zlib')).toHaveClass(/pick/);
    await page.getByTestId('export-output').selectOption('elf');
    await expect(page.getByTestId('size-31-elf')).toHaveClass(/pick/);
    await page.getByTestId('export-bit-16').uncheck();
    await expect(table.locator('tr[data-level="15"]')).toHaveAttribute('aria-current', 'true');
    await expect(page.getByTestId('size-15-elf')).toHaveClass(/pick/);
    await page.getByTestId('export-bit-16').check();
    await expect(page.getByTestId('export-level')).toHaveValue('31');
  });

  test('Export plain kdump -d 31 writes a file byte-identical to makedumpfile’s', async () => {
    const want = oracle('kdump-uncompressed', 31);
    await page.getByTestId('export-output').selectOption('kdump-none');
    await setLevel(page, 31);
    await expect(page.getByTestId('export-command')).toContainText('makedumpfile -d 31');
    await page.getByTestId('export-button').click();
    const result = page.getByTestId('export-result');
    await expect(result).toBeVisible({ timeout: 120_000 });
    const name = `${NAME}.vmcore.d31.kdump`;
    expect(await page.evaluate(() => (window as unknown as { __savedAs: string[] }).__savedAs.at(-1))).toBe(name);
    await expect(page.getByTestId('export-name')).toHaveText(name);
    await expect(result).toHaveAttribute('data-size', String(want.output_size));
    const file = await opfsFile(page, name);
    expect(file).toEqual({ size: want.output_size, sha256: want.output_sha256 });
    expect(computeWorkers(page)).toBe(0);
  });

  test('Export -c with 2 workers: the file has exactly the analysed kdump-zlib size', async () => {
    expect(zlib31, 'the analyse test ran first').toBeGreaterThan(0);
    await page.getByTestId('export-output').selectOption('kdump-zlib');
    await setWorkers(page, 2);
    await expect(page.getByTestId('export-command')).toContainText('makedumpfile -c -d 31');
    await page.getByTestId('export-button').click();
    await expect(page.getByTestId('progress')).toBeVisible();
    await expect.poll(() => computeWorkers(page)).toBe(2);
    const result = page.getByTestId('export-result');
    await expect(result).toBeVisible({ timeout: 120_000 });
    await expect(result).toHaveAttribute('data-size', String(zlib31));
    const file = await opfsFile(page, `${NAME}.vmcore.d31.kdump`);
    expect(file?.size).toBe(zlib31);
    await expect.poll(() => computeWorkers(page)).toBe(0);
  });

  test('Cancel mid-export aborts the file, stops the workers, and a second export works', async () => {
    const name = `${NAME}.vmcore.d0.kdump`;
    await page.getByTestId('export-output').selectOption('kdump-zstd');
    await setLevel(page, 0);
    await setWorkers(page, 1);
    const before = await page.evaluate(opfsFileList);
    await page.getByTestId('export-button').click();
    await expect(page.getByTestId('progress-percent')).toBeVisible({ timeout: 60_000 });
    await page.getByTestId('cancel-button').click();
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'cancelled', { timeout: 5_000 });
    await expect(page.getByTestId('cancelled')).toContainText('Cancelled');
    // No file of any name (a swap file included) is added to the private storage.
    await expect.poll(() => page.evaluate(opfsFileList), { timeout: 2_000 }).toEqual(before);
    await expect(page.getByTestId('error-panel')).toHaveCount(0);
    const file = await opfsFile(page, name);
    expect(file === null || file.size === 0, `after cancel ${name} is ${JSON.stringify(file)}`).toBe(true);
    // Not even the empty file the save dialog created stays.
    expect(file).toBeNull();
    await expect.poll(() => computeWorkers(page), { timeout: 2_000 }).toBe(0);

    // The next export runs normally.
    await setLevel(page, 31);
    await setWorkers(page, 2);
    await page.getByTestId('export-button').click();
    await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 120_000 });
    const r = await opfsFile(page, `${NAME}.vmcore.d31.kdump`);
    expect(r?.size).toBeGreaterThan(0);
    await expect(page.getByTestId('export-result')).toHaveAttribute('data-size', String(r?.size));
  });

  test('Without a save dialog the export streams to one download: -c -d 31 equals the CLI’s bytes, nothing is kept in OPFS', async () => {
    const want = cliOutputDigest(['-c', '-d', '31'], REAL_DUMP);
    const name = `${NAME}.vmcore.d31.kdump`;
    await page.evaluate(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }));
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 30_000 }).toBe(true);
    const before = await page.evaluate(opfsFileList);
    await page.getByTestId('export-output').selectOption('kdump-zlib');
    await setLevel(page, 31);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-button').click()]);
    expect(download.suggestedFilename()).toBe(name);
    await expect(page.getByTestId('download-streamed')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('export-result')).toHaveAttribute('data-size', String(want.size));
    expect(fileDigest(await download.path())).toEqual(want);
    expect(await page.evaluate(opfsFileList)).toEqual(before);
  });

  test('Cancel mid-export of a streamed download fails the download and keeps nothing in OPFS', async () => {
    const before = await page.evaluate(opfsFileList);
    await page.getByTestId('export-output').selectOption('kdump-zstd');
    await setLevel(page, 0);
    await setWorkers(page, 1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-button').click()]);
    await expect(page.getByTestId('progress-percent')).toBeVisible({ timeout: 60_000 });
    await page.getByTestId('cancel-button').click();
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'cancelled', { timeout: 5_000 });
    expect(await download.failure(), 'the browser saw the download fail, not finish').not.toBeNull();
    expect(await page.evaluate(opfsFileList)).toEqual(before);
  });

  test('Without a save dialog the export goes into OPFS and is offered as a download; ELF -d 31 equals makedumpfile -E', async () => {
    const want = oracle('elf', 31);
    const name = `${NAME}.vmcore.d31.elf`;
    await page.evaluate(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }));
    await page.evaluate(withoutServiceWorker);
    await page.getByTestId('export-output').selectOption('elf');
    await setLevel(page, 31);
    await expect(page.getByTestId('export-command')).toContainText('makedumpfile -E -d 31');
    await page.getByTestId('export-button').click();
    await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('export-result')).toHaveAttribute('data-size', String(want.output_size));
    expect(await opfsFile(page, name, 'vmsieve-exports')).toEqual({ size: want.output_size, sha256: want.output_sha256 });
    const link = page.getByTestId('download-link');
    await expect(link).toHaveAttribute('download', name);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(name);
    expect(statSync(await download.path()).size).toBe(want.output_size);
  });

  test('Cancel mid-export without a save dialog leaves the OPFS folder empty', async () => {
    await page.evaluate(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }));
    await page.evaluate(withoutServiceWorker);
    await page.getByTestId('export-output').selectOption('kdump-zstd');
    await setLevel(page, 0);
    await setWorkers(page, 1);
    await page.getByTestId('export-button').click();
    await expect(page.getByTestId('progress-percent')).toBeVisible({ timeout: 60_000 });
    expect(await opfsEntries(page, 'vmsieve-exports'), 'the export is written into OPFS').toEqual([`${NAME}.vmcore.d0.kdump`]);
    await page.getByTestId('cancel-button').click();
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'cancelled', { timeout: 5_000 });
    await expect.poll(() => opfsEntries(page, 'vmsieve-exports'), { timeout: 2_000 }).toEqual([]);
    expect((await page.evaluate(opfsFileList)).filter((f) => f.startsWith('vmsieve-exports/'))).toEqual([]);
  });
});

/** In the page: no service worker controls it (as in private browsing), so an export cannot stream to a download. */
function withoutServiceWorker(): void {
  Object.defineProperty(ServiceWorkerContainer.prototype, 'controller', { get: () => null, configurable: true });
}

/** The names in OPFS folder `dir`. */
function opfsEntries(page: Page, dir: string): Promise<string[]> {
  return page.evaluate(async (dir) => {
    const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle(dir);
    const names: string[] = [];
    for await (const name of (folder as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names;
  }, dir);
}

/** A kdump-compressed input (vmsieve -l -d 1 of the real dump): re-filtered in the page, exactly as makedumpfile would. */
test.describe.serial('re-filter a kdump-compressed file in the browser', () => {
  test.skip(!fixture, `real fixture missing: ${REAL_DUMP} (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
  test.setTimeout(180_000);

  test('Analyse gives its exact -d 31 size; Export -d 31 of an LZO -d 1 file equals makedumpfile -d 31 of the vmcore', async ({ page }, info) => {
    const dir = mkdtempSync(join(tmpdir(), 'vmsieve-e2e-kdump-'));
    try {
      const input = join(dir, `${NAME}.d1.kdump`);
      execFileSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-l', '-d', '1', REAL_DUMP, input], { stdio: 'ignore' });
      await page.addInitScript(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }));
      await page.addInitScript(withoutServiceWorker);
      await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
      await page.goto(info.project.use.baseURL!);
      await page.getByTestId('file-input').setInputFiles(input);
      await expect(page.getByTestId('export-card')).toBeVisible({ timeout: 60_000 });
      await page.getByTestId('analyse-button').click();
      await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 120_000 });
      const want = oracle('kdump-uncompressed', 31);
      await expect(page.getByTestId('size-31-kdump-none')).toHaveAttribute('data-bytes', String(want.output_size));

      await page.getByTestId('export-output').selectOption('kdump-none');
      await setLevel(page, 31);
      await page.getByTestId('export-button').click();
      const result = page.getByTestId('export-result');
      await expect(result).toBeVisible({ timeout: 120_000 });
      await expect(result).toHaveAttribute('data-size', String(want.output_size));
      expect(await opfsFile(page, `${NAME}.d1.kdump.d31.kdump`, 'vmsieve-exports')).toEqual({ size: want.output_size, sha256: want.output_sha256 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
