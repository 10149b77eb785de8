import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { cacheDir } from '../helpers/fixtures.js';
import { elfCore, elfExecutable } from '../helpers/elf-builder.js';

const SHOTS = join(cacheDir, 'screenshots');

/** Bad input must give a specific headline (per error code) and the library's own message, never a blank page. */

async function openBytes(page: Page, name: string, buffer: Buffer) {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
}

function randomNonDump(size: number): Buffer {
  const b = randomBytes(size);
  if (b[0] === 0x7f || b[0] === 0x4b /* K */ || b[0] === 0x6d /* m */) b[0] = 0;
  return b;
}

const cases: Array<{ title: string; name: string; bytes: () => Buffer; code: string; headline: string; message: RegExp }> = [
  { title: 'random bytes', name: 'random.bin', bytes: () => randomNonDump(64 * 1024), code: 'E_UNKNOWN_FORMAT', headline: 'Not a crash dump', message: /random\.bin is not a kernel crash dump/ },
  { title: 'an empty file', name: 'empty.vmcore', bytes: () => Buffer.alloc(0), code: 'E_EMPTY', headline: 'Empty file', message: /empty\.vmcore is empty \(0 bytes\)/ },
  { title: 'a truncated ELF header', name: 'short.vmcore', bytes: () => elfCore().subarray(0, 40), code: 'E_TRUNCATED', headline: 'Truncated file', message: /short\.vmcore is truncated: the ELF header/ },
  { title: 'a file cut inside the ELF magic', name: 'magic.vmcore', bytes: () => Buffer.from('\x7fEL', 'latin1'), code: 'E_TRUNCATED', headline: 'Truncated file', message: /only 3 bytes/ },
  { title: 'an ELF executable', name: 'vmlinux', bytes: elfExecutable, code: 'E_NOT_CORE', headline: 'Not a core file', message: /vmlinux is an ELF executable, not a core dump/ },
  { title: 'a 32-bit core', name: 'core32', bytes: () => elfCore({ elfClass: 1 }), code: 'E_ELF_CLASS', headline: 'Unsupported dump', message: /32-bit ELF/ },
  { title: 'a big-endian core', name: 'core-be', bytes: () => elfCore({ data: 2 }), code: 'E_ELF_ENDIAN', headline: 'Unsupported dump', message: /big-endian/ },
];

test.describe('bad input', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('drop-zone')).toBeVisible();
  });

  for (const c of cases) {
    test(`${c.title} → "${c.headline}"`, async ({ page }) => {
      await openBytes(page, c.name, c.bytes());
      const panel = page.getByTestId('error-panel');
      await expect(panel).toBeVisible();
      await expect(panel).toHaveAttribute('data-code', c.code);
      await expect(page.getByTestId('error-headline')).toHaveText(c.headline);
      await expect(page.getByTestId('error-message')).toHaveText(c.message);
      await expect(page.getByRole('alert')).toContainText(c.headline);
      await expect(page.getByTestId('summary')).toHaveCount(0);
      if (c.code === 'E_UNKNOWN_FORMAT') {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: join(SHOTS, 'error.png'), animations: 'disabled' });
      }
    });
  }

  test('a core with no VMCOREINFO opens, with the zero-pages-only warning', async ({ page }) => {
    await openBytes(page, 'no-info.vmcore', elfCore({ cpus: 2 }));
    await expect(page.getByTestId('summary')).toBeVisible();
    const warning = page.getByTestId('warning');
    await expect(warning).toHaveAttribute('data-code', 'E_NO_VMCOREINFO');
    await expect(warning).toContainText('No VMCOREINFO — only zero pages can be filtered');
    await expect(page.getByTestId('fact-release')).toHaveText('unknown');
    await expect(page.getByTestId('fact-cpus')).toHaveText('2');
    await expect(page.getByTestId('error-panel')).toHaveCount(0);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'no-vmcoreinfo.png'), animations: 'disabled' });
  });

  test('a good file after a bad one replaces the error', async ({ page }) => {
    await openBytes(page, 'random.bin', randomNonDump(1024));
    await expect(page.getByTestId('error-headline')).toHaveText('Not a crash dump');
    await openBytes(page, 'no-info.vmcore', elfCore());
    await expect(page.getByTestId('summary')).toBeVisible();
    await expect(page.getByTestId('error-panel')).toHaveCount(0);
  });
});
