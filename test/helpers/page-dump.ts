import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Browser, type Page, type TestInfo } from '@playwright/test';
import { excludedByClass, repoRoot, type MakedumpfileReport } from './fixtures.js';

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

/**
 * One page with `path` opened (the bundled sample refused), its save dialog stubbed to write into the origin-private
 * file system, which the headless browser cannot show.
 */
export async function openDumpPage(browser: Browser, info: TestInfo, path: string): Promise<Page> {
  const { baseURL, viewport } = info.project.use;
  const context = await browser.newContext({ baseURL, viewport: viewport ?? { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) =>
      (await navigator.storage.getDirectory()).getFileHandle(suggestedName, { create: true });
  });
  await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(path);
  await expect(page.getByTestId('summary')).toBeVisible({ timeout: 60_000 });
  return page;
}

/** Empties the origin-private file system the exports went to, and closes the page's context. */
export async function closeDumpPage(page: Page | undefined): Promise<void> {
  await page?.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) await root.removeEntry(name, { recursive: true });
  });
  await page?.context().close();
}

/** The class map shows, and its legend holds `report`'s excluded pages per class, several of them non-empty. */
export async function expectClassCounts(page: Page, report: MakedumpfileReport): Promise<void> {
  await expect(page.getByTestId('class-map')).toBeVisible({ timeout: 120_000 });
  const want = excludedByClass(report);
  for (const [cls, n] of Object.entries(want)) await expect(page.getByTestId(`class-count-${cls}`)).toHaveAttribute('data-pages', String(n));
  expect(Object.values(want).filter((n) => n > 0).length).toBeGreaterThanOrEqual(5);
}

/** The page's -d 31 -c export of `dump` is byte for byte the file `vmsieve -c -d 31` writes. */
export async function expectExportIsCliFile(page: Page, dump: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vmsieve-e2e-export-'));
  try {
    const out = join(dir, 'cli.c31');
    expect(spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-c', '-d', '31', dump, out]).status).toBe(0);
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
}
