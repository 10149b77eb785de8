import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { cacheDir, fixtureCacheDir, sharedFixturesDir } from '../helpers/fixtures.js';
import { elfCore } from '../helpers/elf-builder.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const REAL_DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const WANT_LOG = join(sharedFixturesDir, `${NAME}.dmesg.txt`);
const MARKER = `VMCG-MARKER-${NAME}-seed11`;
const SHOTS = join(cacheDir, 'screenshots');
const QEMU_DUMP = join(fixtureCacheDir, 'dev-qemu-160m-4l-nokaslr.vmcore');

const missing = [REAL_DUMP, WANT_LOG].filter((f) => !existsSync(f));

/** One page load for the whole file: the real dump is opened once and every test looks at it. */
test.describe.serial('kernel log and crash context of a real kdump vmcore', () => {
  test.skip(missing.length > 0, `real fixture missing: ${missing.join(', ')} (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);

  let page: Page;

  test.beforeAll(async ({ browser }, info) => {
    const { baseURL, viewport } = info.project.use;
    const context = await browser.newContext({ baseURL, viewport: viewport ?? { width: 1280, height: 900 }, acceptDownloads: true, colorScheme: 'light' });
    page = await context.newPage();
    await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles(REAL_DUMP);
    await expect(page.getByTestId('crash-message')).toBeVisible({ timeout: 60_000 });
  });

  test.afterAll(async () => {
    await page?.context().close();
  });

  test('"What happened" names the panic, the CPU, the task, the time, the taint, the call trace and the registers', async () => {
    const what = page.getByTestId('what-happened');
    await expect(what).toHaveAttribute('data-kind', 'panic');
    await expect(page.getByTestId('crash-kind')).toHaveText('Kernel panic');
    await expect(page.getByTestId('crash-message')).toHaveText('Kernel panic - not syncing: sysrq triggered crash');
    await expect(what).toContainText('sysrq triggered crash');
    await expect(page.getByTestId('crash-cpu')).toHaveText('0');
    await expect(page.getByTestId('crash-task')).toHaveText('init');
    await expect(what).toContainText('pid 1');
    await expect(page.getByTestId('crash-ip')).toHaveText('0xffffffffa33741ba');
    await expect(page.getByTestId('crash-time')).toHaveText('2026-11-25 17:09:30');
    await expect(page.getByTestId('crash-uptime')).toHaveText('8.670188 s');
    await expect(page.getByTestId('crash-tainted')).toHaveText('Not tainted');
    const trace = page.getByTestId('call-trace').locator('li');
    await expect(trace.first()).toHaveText('dump_stack_lvl+0x44/0x5c');
    await expect(page.getByTestId('call-trace')).toContainText('sysrq_handle_crash+0x16/0x20');
    const regs = page.getByTestId('crash-registers');
    await expect(regs.locator('th').first()).toHaveText('rip');
    await expect(regs.locator('td').first()).toHaveText('0xffffffffa33741ba__crash_kexec+0x11a/0x130');
    await expect(regs).toContainText('eflags');
  });

  test('the log is a virtual list: far fewer rows in the DOM than lines, and the keyboard scrolls it', async () => {
    const list = page.getByTestId('dmesg-list');
    const rows = list.getByTestId('dmesg-row');
    const lines = Number(await list.getAttribute('data-count'));
    expect(lines).toBeGreaterThanOrEqual(439);
    const rendered = await rows.count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(lines / 4);
    await expect(rows.first()).toContainText('[    0.000000] Linux version 6.1.0-56-amd64');

    await list.focus();
    await page.keyboard.press('End');
    await expect(list.locator(`[data-row="${lines - 1}"]`)).toContainText('</TASK>');
    await expect(list.locator('[data-row="0"]')).toHaveCount(0);
    expect(await rows.count()).toBeLessThan(lines / 4);
    await page.keyboard.press('PageUp');
    await page.keyboard.press('Home');
    await expect(list.locator('[data-row="0"]')).toBeVisible();
    await page.keyboard.press('PageDown');
    await expect.poll(() => list.evaluate((el) => el.scrollTop)).toBeGreaterThan(200);
    await page.keyboard.press('Home');
    await expect.poll(() => list.evaluate((el) => el.scrollTop)).toBe(0);

    // Levels are coloured: the panic line (emerg) is in the crit tone.
    await expect(page.getByTestId('dmesg-row').filter({ hasText: 'Linux version' }).first()).not.toHaveClass(/crit|err|warn/);
  });

  test('"/" focuses the search; the marker is found, highlighted and scrolled into view; Enter / Shift+Enter step through matches', async () => {
    await page.getByTestId('dmesg').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    const search = page.getByTestId('dmesg-search');
    await expect(search).toBeFocused();
    await page.keyboard.type(MARKER);
    const count = page.getByTestId('dmesg-match-count');
    await expect(count).toHaveText('1 of 3');
    const current = page.locator('[data-testid="dmesg-row"].current');
    await expect(current).toContainText(`${MARKER} boot name=${NAME}`);
    await expect(current.locator('mark')).toHaveText(MARKER);
    await expect(current.locator('mark')).toBeInViewport();
    await page.keyboard.press('Enter');
    await expect(count).toHaveText('2 of 3');
    await expect(current).toContainText('workload-ready');
    await page.keyboard.press('Enter');
    await expect(current).toContainText('crashing now via sysrq-trigger');
    await expect(current.locator('mark')).toBeInViewport();
    await page.keyboard.press('Shift+Enter');
    await expect(count).toHaveText('2 of 3');

    await page.getByTestId('dmesg-only-matching').check();
    await expect(page.getByTestId('dmesg-list')).toHaveAttribute('data-count', '3');
    await expect(page.getByTestId('dmesg-row')).toHaveCount(3);
    mkdirSync(SHOTS, { recursive: true });
    await page.getByTestId('dmesg').screenshot({ path: join(SHOTS, 'dmesg-search.png'), animations: 'disabled' });
    await page.getByTestId('dmesg-only-matching').uncheck();

    await search.fill('');
    await expect(count).toHaveText('');
    await expect(page.locator('[data-testid="dmesg-row"] mark')).toHaveCount(0);
  });

  test('"Show in the kernel log" scrolls to the panic line', async () => {
    await page.getByTestId('show-in-log').click();
    const selected = page.locator('[data-testid="dmesg-row"].selected');
    await expect(selected).toContainText('Kernel panic - not syncing: sysrq triggered crash');
    await expect(selected).toHaveClass(/crit/);
    await expect(selected).toBeInViewport();
    await expect(page.getByTestId('dmesg-list')).toBeFocused();
  });

  test('"Download log" saves exactly what makedumpfile --dump-dmesg writes', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-log').click()]);
    expect(download.suggestedFilename()).toBe(`${NAME}.dmesg.txt`);
    const got = readFileSync(await download.path());
    const want = readFileSync(WANT_LOG);
    expect(got.length).toBe(want.length);
    expect(got.equals(want)).toBe(true);
  });

  test('screenshots (light and dark)', async () => {
    mkdirSync(SHOTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'what-happened.png'), fullPage: true, animations: 'disabled' });
    await page.getByTestId('what-happened').screenshot({ path: join(SHOTS, 'what-happened-panel.png'), animations: 'disabled' });
    await page.getByTestId('dmesg').screenshot({ path: join(SHOTS, 'dmesg.png'), animations: 'disabled' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'what-happened-dark.png'), fullPage: true, animations: 'disabled' });
    await page.getByTestId('what-happened').screenshot({ path: join(SHOTS, 'what-happened-panel-dark.png'), animations: 'disabled' });
    await page.getByTestId('dmesg').screenshot({ path: join(SHOTS, 'dmesg-dark.png'), animations: 'disabled' });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('a QEMU dump of a running guest: "No crash recorded", and its log is shown', async () => {
    test.skip(!existsSync(QEMU_DUMP), `real fixture ${QEMU_DUMP} is absent`);
    await page.getByTestId('file-input').setInputFiles(QEMU_DUMP);
    await expect(page.getByTestId('what-happened')).toHaveAttribute('data-kind', 'none', { timeout: 60_000 });
    await expect(page.getByTestId('crash-message')).toHaveText('No crash recorded: this dump was taken from a running system');
    await expect(page.getByTestId('crash-kind')).toHaveText('No crash');
    await expect(page.getByTestId('dmesg-row').first()).toContainText('Linux version');
    await page.getByTestId('what-happened').screenshot({ path: join(SHOTS, 'what-happened-qemu.png'), animations: 'disabled' });
  });

  test('a dump without VMCOREINFO: the panel says the log could not be read, and there is no log view', async () => {
    await page.getByTestId('file-input').setInputFiles({ name: 'no-info.vmcore', mimeType: 'application/octet-stream', buffer: elfCore() });
    await expect(page.getByTestId('file-name')).toHaveText('no-info.vmcore');
    await expect(page.getByTestId('crash-message')).toHaveText('The kernel log could not be read, so the cause is unknown');
    await expect(page.getByTestId('log-error')).toContainText('E_NO_VMCOREINFO');
    await expect(page.getByTestId('dmesg')).toHaveCount(0);
    await page.getByTestId('what-happened').screenshot({ path: join(SHOTS, 'what-happened-no-log.png'), animations: 'disabled' });
  });
});
