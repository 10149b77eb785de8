import { expect, type Browser, type Page, type TestInfo } from '@playwright/test';

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
