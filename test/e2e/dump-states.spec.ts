import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { cutBeforeLastSegment, refiltered, withRelease } from '../helpers/derived-dumps.js';
import { fixtureCacheDir } from '../helpers/fixtures.js';
import { shootViews } from '../helpers/screenshots.js';

/** Dumps the page can only partly use: each says what still works and what does not, and why (issue 23, items 4 and 8). */

const NAME = 'dev-kdump-288m-4l-kaslr';
const REAL_DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const RELEASE = '6.1.0-56-amd64';

async function open(page: Page, path: string) {
  await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(path);
  await expect(page.getByTestId('summary')).toBeVisible({ timeout: 60_000 });
}

test.describe('dumps the page can only partly use', () => {
  test.skip(!existsSync(REAL_DUMP), `real fixture ${REAL_DUMP} is absent (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
  test.setTimeout(300_000);

  test('a vmcore cut short before its mem_map: summary, registers, log and segments stay; levels, Analyse and Export are off, saying why', async ({ page }) => {
    await open(page, await cutBeforeLastSegment(REAL_DUMP));
    await expect(page.getByTestId('fact-release')).toHaveText(RELEASE);
    await expect(page.getByTestId('crash-ip')).toContainText('0xffffffffa33741ba');
    await expect(page.getByTestId('dmesg-row').filter({ hasText: `Linux version ${RELEASE}` }).first()).toBeVisible({ timeout: 60_000 });
    await expect(page.locator('[data-testid="warning"][data-code="W_INCOMPLETE"]')).toContainText(/pages? missing, pfn 0x11000-/);
    await expect(page.getByTestId('segments-table').locator('tbody tr[data-kind="load"]')).toHaveCount(4);

    const notice = page.getByTestId('unclassified');
    await expect(notice).toBeVisible({ timeout: 120_000 });
    await expect(notice).toHaveAttribute('data-code', 'E_NOT_IN_DUMP');
    await expect(page.getByTestId('unclassified-reason')).toContainText(/is missing from .*cut.*: the file ends before it/);
    await expect(notice).toContainText('Still here');
    await expect(notice.getByRole('link', { name: 'the kernel log' })).toHaveAttribute('href', '#dmesg-title');
    await expect(notice.getByRole('link', { name: 'which pages the file holds' })).toHaveAttribute('href', '#map-title');
    await expect(page.getByTestId('level-compare')).toHaveCount(0);
    await expect(page.getByTestId('advice')).toHaveCount(0);

    for (const id of ['analyse-button', 'export-button', 'scan-secrets-button']) await expect(page.getByTestId(id)).toBeDisabled();
    await expect(page.getByTestId('export-unavailable')).toContainText('this dump’s pages cannot be classified');
    await expect(page.getByTestId('analyse-button')).toHaveAccessibleDescription(/Analyse and export are off: .* is missing from/);
    await expect(page.getByTestId('export-button')).toHaveAccessibleDescription(/cannot be classified/);
    await shootViews(page, 'unclassified', notice);
  });

  test('an input already filtered at -d 31: the advice names it so, never calling its size unfiltered', async ({ page }) => {
    await open(page, refiltered(REAL_DUMP, 31));
    await page.getByTestId('analyse-button').click();
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 180_000 });
    const advice = page.getByTestId('advice');
    const filtered = advice.getByTestId('advice-filtered');
    await expect(filtered).toBeVisible({ timeout: 60_000 });
    await expect(filtered).toHaveAttribute('data-level', '31');
    await expect(filtered).toContainText('This file is already filtered: a kdump-compressed dump made at -d 31');
    await expect(advice.locator('.pick')).toContainText('all this file holds, as ELF');
    await expect(advice).not.toContainText('unfiltered');
    await shootViews(page, 'advice-filtered', advice);
  });

  test('a kernel newer than the known rules is a warning box like the others, headed as such', async ({ page }) => {
    await open(page, withRelease(REAL_DUMP, RELEASE, '9.1.0-56-amd64'));
    await expect(page.getByTestId('fact-release')).toHaveText('9.1.0-56-amd64');
    const warning = page.getByTestId('warning').and(page.locator('[data-code="W_KERNEL_TOO_NEW"]'));
    await expect(warning).toBeVisible({ timeout: 120_000 });
    await expect(warning.getByRole('heading')).toHaveText('Kernel newer than the known rules');
    await expect(warning).toContainText('Kernel 9.1.0-56-amd64 is newer than the page rules vmsieve knows');
    await expect(page.getByRole('list', { name: 'Warnings' })).toContainText('Kernel newer than the known rules');
    await shootViews(page, 'kernel-too-new', warning);
  });
});

const KERNEL_612 = join(fixtureCacheDir, 'next-kdump612-384m-4l-kaslr.vmcore');
test('a note of the classification (6.12 has no NUMBER(PG_slab), as expected) stays a note under the map, not a warning box', async ({ page }) => {
  test.skip(!existsSync(KERNEL_612), `real fixture ${KERNEL_612} is absent`);
  test.setTimeout(180_000);
  await open(page, KERNEL_612);
  await expect(page.getByTestId('class-map')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('class-map-note').and(page.locator('[data-code="W_PG_SLAB_ASSUMED"]'))).toContainText('normal on 6.10+');
  await expect(page.getByTestId('warning')).toHaveCount(0);
});
