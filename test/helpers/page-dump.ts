import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import { cliOutput, cliOutputDigest } from './cli-export.js';
import { excludedByClass, fixtureCacheDir, realFixtures, repoRoot, type RealFixture } from './fixtures.js';

/** Size and sha256 of a file in the page's origin-private file system (at the root, or in `dir`), or null when there is none. */
export function opfsFile(page: Page, name: string, dir?: string): Promise<{ size: number; sha256: string } | null> {
  return page.evaluate(async ([name, dir]) => {
    let root = await navigator.storage.getDirectory();
    let handle: FileSystemFileHandle;
    try {
      if (dir) root = await root.getDirectoryHandle(dir);
      handle = await root.getFileHandle(name);
    } catch {
      return null;
    }
    const file = await handle.getFile();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
    return { size: file.size, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
  }, [name, dir] as const);
}

/** From the next navigation on, the page's save dialog (which a headless browser cannot show) returns a file at OPFS's root. */
export async function saveIntoOpfs(page: Page): Promise<void> {
  await page.addInitScript(() => {
    (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) =>
      (await navigator.storage.getDirectory()).getFileHandle(suggestedName, { create: true });
  });
}

/**
 * One page with `path` opened (the bundled sample refused), its save dialog stubbed to write into the origin-private
 * file system, which the headless browser cannot show.
 */
export async function openDumpPage(browser: Browser, info: TestInfo, path: string): Promise<Page> {
  const { baseURL, viewport } = info.project.use;
  const context = await browser.newContext({ baseURL, viewport: viewport ?? { width: 1280, height: 900 } });
  const page = await context.newPage();
  await saveIntoOpfs(page);
  await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(path);
  await expect(page.getByTestId('summary')).toBeVisible({ timeout: 60_000 });
  return page;
}

/** Dedicated workers of the page other than the dump worker: the compute workers it spawned (nested workers included). */
export function computeWorkers(page: Page): number {
  return page.workers().filter((w) => w.url().includes('browser-compute-worker')).length;
}

/** Empties the origin-private file system the exports went to, and closes the page's context. */
export async function closeDumpPage(page: Page | undefined): Promise<void> {
  await page?.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) await root.removeEntry(name, { recursive: true });
  });
  await page?.context().close();
}

/**
 * The page reads the dump it has open (a file, or the files of a split set) as the CLI reads it: "Download log" saves
 * what `vmsieve --dump-dmesg` writes, and Analyse gives the page counts, kdump-none and
 * ELF sizes of every level that `vmsieve --analyse --json` gives (exact with any --measure-every: codecs are not
 * compared here).
 */
export async function expectReadLikeCli(page: Page, dump: string | readonly string[]): Promise<void> {
  const files = typeof dump === 'string' ? [dump] : dump;
  const log = cliOutput(['--dump-dmesg'], files);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-log').click()]);
  expect(readFileSync(await download.path()).equals(log), 'the saved log is the CLI\'s, byte for byte').toBe(true);

  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--analyse', '--json', '--measure-every', '1024', ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(r.status, r.stderr).toBe(0);
  const cli = (JSON.parse(r.stdout) as { levels: { level: number; pages: number; bytes: Record<string, number> }[] }).levels;
  const want = cli.map((l) => ({ level: l.level, pages: l.pages, none: l.bytes['kdump-none'], elf: l.bytes.elf }));
  await page.getByTestId('analyse-button').click();
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 180_000 });
  const got = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLTableRowElement>('[data-testid="size-table"] tr[data-level]')].map((row) => {
      const level = Number(row.dataset.level);
      const bytes = (kind: string) => Number(row.querySelector<HTMLElement>(`[data-testid="size-${level}-${kind}"]`)!.dataset.bytes);
      return { level, pages: Number(row.querySelector('td.num')!.textContent!.replace(/\D/g, '')), none: bytes('kdump-none'), elf: bytes('elf') };
    }),
  );
  expect(got).toEqual(want);
}

/** The page's -c -d 31 export of the dump it has open is the file `vmsieve -c -d 31 DUMP...` writes, byte for byte. */
export async function expectZlibExportLikeCli(page: Page, dump: string | readonly string[]): Promise<void> {
  const want = cliOutputDigest(['-c', '-d', '31'], dump);
  await page.getByTestId('export-output').selectOption('kdump-zlib');
  const level = page.getByTestId('export-level');
  await level.fill('31');
  await level.press('Tab');
  await page.getByTestId('export-button').click();
  await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 180_000 });
  const name = (await page.getByTestId('export-name').textContent())!;
  expect(await opfsFile(page, name)).toEqual(want);
}

/**
 * A serial describe of the page on a shared real dump (`../shared/fixtures/NAME`), opened once before its tests and
 * closed after them; skipped, saying why, when the dump was not decompressed. `body` gets the page (once open), the
 * fixture with its record, and the dump's path.
 */
export function describeSharedDumpPage(name: string, title: string, body: (page: () => Page, fixture: () => RealFixture, path: string) => void): void {
  const path = join(fixtureCacheDir, `${name}.vmcore`);
  const fixture = existsSync(path) ? realFixtures().find((f) => f.name === name) : undefined;
  test.describe.serial(title, () => {
    test.skip(!fixture, `real fixture missing: ${path} and its makedumpfile oracle (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
    test.setTimeout(240_000);
    let page: Page | undefined;
    test.beforeAll(async ({ browser }, info) => {
      page = await openDumpPage(browser, info, path);
    });
    test.afterAll(() => closeDumpPage(page));
    body(() => page!, () => fixture!, path);
  });
}

/** The class map is drawn, its legend the record's -d 31 counts, at least five classes of them non-zero. */
export async function expectRecordClassCounts(page: Page, fixture: RealFixture): Promise<void> {
  await expect(page.getByTestId('class-map')).toBeVisible({ timeout: 120_000 });
  const want = excludedByClass(fixture.oracle.counts_by_level['31']);
  for (const [cls, n] of Object.entries(want)) await expect(page.getByTestId(`class-count-${cls}`)).toHaveAttribute('data-pages', String(n));
  expect(Object.values(want).filter((n) => n > 0).length).toBeGreaterThanOrEqual(5);
}
