import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { cacheDir, fixtureCacheDir } from '../helpers/fixtures.js';
import { elfCore } from '../helpers/elf-builder.js';
import { expectReadLikeCli, expectZlibExportLikeCli, saveIntoOpfs } from '../helpers/page-dump.js';

/** Inputs other than a plain ELF vmcore: flattened files, and damage found deep inside a file (in the worker). */

function flatten(file: Buffer, recordBytes = 3000): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(4096);
  header.write('makedumpfile', 0, 'latin1');
  header.writeBigInt64BE(1n, 16);
  header.writeBigInt64BE(1n, 24);
  parts.push(header);
  // Last part first: a flattened file need not be in offset order.
  for (let at = Math.floor((file.length - 1) / recordBytes) * recordBytes; at >= 0; at -= recordBytes) {
    const data = file.subarray(at, Math.min(file.length, at + recordBytes));
    const h = Buffer.alloc(16);
    h.writeBigInt64BE(BigInt(at), 0);
    h.writeBigInt64BE(BigInt(data.length), 8);
    parts.push(h, data);
  }
  const end = Buffer.alloc(16);
  end.writeBigInt64BE(-1n, 0);
  end.writeBigInt64BE(-1n, 8);
  parts.push(end);
  return Buffer.concat(parts);
}

const info = ['OSRELEASE=6.1.0-flat', 'PAGESIZE=4096', 'CRASHTIME=1795626570', ''].join('\n');

async function openBytes(page: Page, name: string, buffer: Buffer) {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
}

test.describe('inputs', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('drop-zone')).toBeVisible();
  });

  test('a flattened file opens like the file it stands for', async ({ page }) => {
    await openBytes(page, 'core.flat', flatten(elfCore({ cpus: 2, vmcoreinfo: info })));
    await expect(page.getByTestId('summary')).toBeVisible();
    await expect(page.getByTestId('file-name')).toHaveText('core.flat');
    await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-flat');
    await expect(page.getByTestId('error-panel')).toHaveCount(0);
  });

  test('a flattened file cut short reaches the error panel with its code', async ({ page }) => {
    const flat = flatten(elfCore({ vmcoreinfo: info }));
    await openBytes(page, 'cut.flat', flat.subarray(0, flat.length - 5000));
    await expect(page.getByTestId('error-panel')).toHaveAttribute('data-code', 'E_TRUNCATED');
    await expect(page.getByTestId('error-message')).toHaveText(/cut\.flat ends inside flattened record/);
  });

  test('a VMCOREINFO with an impossible page size reaches the error panel', async ({ page }) => {
    await openBytes(page, 'bad-info.vmcore', elfCore({ vmcoreinfo: 'OSRELEASE=6.1.0\nPAGESIZE=4097\n' }));
    await expect(page.getByTestId('error-panel')).toHaveAttribute('data-code', 'E_BAD_VMCOREINFO');
    await expect(page.getByTestId('error-message')).toHaveText(/PAGESIZE=4097 is not a page size/);
  });

  test('a core cut inside its memory opens, warning which pfns are missing', async ({ page }) => {
    await openBytes(page, 'cut.vmcore', elfCore({ vmcoreinfo: info, chop: 4096 }));
    await expect(page.getByTestId('summary')).toBeVisible();
    const warning = page.getByTestId('warning').filter({ hasText: 'incomplete' });
    await expect(warning).toHaveAttribute('data-code', 'W_INCOMPLETE');
    await expect(warning).toContainText(/cut\.vmcore is incomplete \(the file ends inside its memory segments\): 1 page missing, pfn 0x101-0x101/);
  });

  const real = join(fixtureCacheDir, 'dev-kdump-288m-4l-kaslr.vmcore');
  const hasMakedumpfile = spawnSync('makedumpfile', ['-v'], { stdio: 'ignore' }).error === undefined;
  /** Where the inputs made from the real dump are kept between runs. */
  function inputsDir(): string {
    const dir = join(cacheDir, 'e2e-inputs');
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** The page with the save dialog stubbed (exports land at OPFS's root), empty, ready for a file. */
  async function exportingPage(page: Page): Promise<void> {
    await saveIntoOpfs(page);
    await page.goto('/');
  }

  test("makedumpfile -F -c -d 1 of a real dump opens, with the dump's kernel log; the page reads it as the CLI does (log, sizes, -c -d 31 export bytes)", async ({ page }) => {
    test.skip(!existsSync(real) || !hasMakedumpfile, `needs ${real} and Debian's makedumpfile`);
    test.setTimeout(360_000);
    await exportingPage(page);
    const dir = inputsDir();
    const flat = join(dir, 'dev-kdump-288m.flat');
    if (!existsSync(flat)) {
      const fd = openSync(`${flat}.tmp`, 'w');
      try {
        execFileSync('nice', ['-n', '10', 'makedumpfile', '-F', '-c', '-d', '1', real], { stdio: ['ignore', fd, 'ignore'] });
      } finally {
        closeSync(fd);
      }
      renameSync(`${flat}.tmp`, flat);
    }
    await page.getByTestId('file-input').setInputFiles(flat);
    await expect(page.getByTestId('summary')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-56-amd64');
    await expect(page.getByTestId('dmesg-row').filter({ hasText: 'Linux version 6.1.0-56-amd64' }).first()).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('error-panel')).toHaveCount(0);
    await expectReadLikeCli(page, flat);
    await expectZlibExportLikeCli(page, flat);
  });

  test('makedumpfile -c -d 31 of a real dump (what Debian and Ubuntu keep) reads in the page as the CLI reads it: log, sizes, -c -d 31 export bytes', async ({ page }) => {
    test.skip(!existsSync(real) || !hasMakedumpfile, `needs ${real} and Debian's makedumpfile`);
    test.setTimeout(360_000);
    await exportingPage(page);
    const dir = inputsDir();
    const file = join(dir, 'dev-kdump-288m.c31');
    if (!existsSync(file)) {
      execFileSync('nice', ['-n', '10', 'makedumpfile', '-c', '-d', '31', real, `${file}.tmp`], { stdio: 'ignore' });
      renameSync(`${file}.tmp`, file);
    }
    await page.getByTestId('file-input').setInputFiles(file);
    await expect(page.getByTestId('summary')).toBeVisible({ timeout: 60_000 });
    await expectReadLikeCli(page, file);
    await expectZlibExportLikeCli(page, file);
  });

  /** makedumpfile --split -c -d 31 of a real dump in three (cached under .cache/e2e-inputs). */
  function splitSet(): string[] {
    const dir = inputsDir();
    const files = ['A', 'B', 'C'].map((x) => join(dir, `split${x}`));
    if (!files.every((f) => existsSync(f))) {
      const tmp = files.map((f) => `${f}.tmp`);
      execFileSync('nice', ['-n', '10', 'makedumpfile', '--split', '--splitblock-size', '4096', '-c', '-d', '31', real, ...tmp], { stdio: 'ignore' });
      tmp.forEach((t, i) => renameSync(t, files[i]!));
    }
    return files;
  }

  test('the files of a makedumpfile --split set, opened together, are one dump, read as the CLI reads them (log, sizes, -c -d 31 export bytes)', async ({ page }) => {
    test.skip(!existsSync(real) || !hasMakedumpfile, `needs ${real} and Debian's makedumpfile`);
    test.setTimeout(360_000);
    await exportingPage(page);
    const [a, b, c] = splitSet();
    await page.getByTestId('file-input').setInputFiles([c!, a!, b!]);
    await expect(page.getByTestId('summary')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('file-name')).toHaveText('splitA, splitB, splitC');
    await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-56-amd64');
    await expect(page.getByTestId('dmesg-row').filter({ hasText: 'Linux version 6.1.0-56-amd64' }).first()).toBeVisible({ timeout: 60_000 });
    await expectReadLikeCli(page, [a!, b!, c!]);
    await expectZlibExportLikeCli(page, [a!, b!, c!]);
  });

  test('a split set with a member missing reaches the error panel, naming the gap', async ({ page }) => {
    test.skip(!existsSync(real) || !hasMakedumpfile, `needs ${real} and Debian's makedumpfile`);
    test.setTimeout(180_000);
    const [a, , c] = splitSet();
    await page.getByTestId('file-input').setInputFiles([a!, c!]);
    await expect(page.getByTestId('error-panel')).toHaveAttribute('data-code', 'E_SPLIT_SET');
    await expect(page.getByTestId('error-message')).toHaveText(/no file of the split set holds pfns 0x[0-9a-f]+-0x[0-9a-f]+: a member is missing \(given: splitA, splitC\)/);
  });
});
