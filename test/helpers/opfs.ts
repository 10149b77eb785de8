/**
 * In-page functions over the origin-private file system, for page.evaluate in Playwright (Chromium) and
 * puppeteer-core (Firefox) alike: each runs in the page, so it must not use anything from this module's scope.
 */

/** Every file in the page's OPFS, as `folder/name:size`, folders walked recursively (empty folders are not files). */
export async function opfsFileList(): Promise<string[]> {
  type Entries = AsyncIterable<[string, FileSystemHandle]>;
  const files: string[] = [];
  const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
    for await (const [name, handle] of (dir as unknown as { entries(): Entries }).entries()) {
      if (handle.kind === 'directory') await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`);
      else files.push(`${prefix}${name}:${(await (handle as FileSystemFileHandle).getFile()).size}`);
    }
  };
  await walk(await navigator.storage.getDirectory(), '');
  return files.sort();
}
