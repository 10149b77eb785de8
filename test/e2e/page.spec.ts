import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { cacheDir, fixtureCacheDir } from '../helpers/fixtures.js';
import { elfCore, sampleCore } from '../helpers/elf-builder.js';

const REAL_DUMP = join(fixtureCacheDir, 'dev-kdump-288m-4l-kaslr.vmcore');
const SHOTS = join(cacheDir, 'screenshots');

/** Serves a stand-in sample (or none) instead of whatever dist/sample.vmcore is, so the tests do not depend on it. */
async function routeSample(page: Page, body: Buffer | null) {
  await page.route('**/sample.vmcore', (route) =>
    body ? route.fulfill({ status: 200, contentType: 'application/octet-stream', body }) : route.fulfill({ status: 404, body: 'Not found' }),
  );
}

test.describe('the page', () => {
  test('says the file never leaves the machine, and is served with a strict CSP header', async ({ page }) => {
    const res = await page.goto('/');
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
    // Not same-origin: a dashboard of another origin that opens the page keeps its window, to post it a dump.
    expect(res?.headers()['cross-origin-opener-policy']).toBe('unsafe-none');
    await expect(page.getByTestId('privacy-note')).toContainText('never leaves this machine');
    await expect(page.getByTestId('privacy-note')).toContainText('nothing is uploaded');
  });

  test('without a bundled sample it opens on the empty drop zone', async ({ page }) => {
    await routeSample(page, null);
    await page.goto('/');
    await expect(page.getByTestId('drop-zone')).toBeVisible();
    await expect(page.getByTestId('drop-zone')).toContainText('Drop a vmcore here');
    await expect(page.getByTestId('summary')).toHaveCount(0);
    await expect(page.getByTestId('error-panel')).toHaveCount(0);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'empty.png'), animations: 'disabled' });
    await page.getByTestId('sample-button').click();
    await expect(page.getByTestId('error-headline')).toHaveText('No sample dump in this build');
  });

  test('opens on the bundled sample, and "Load sample" brings it back', async ({ page }) => {
    await routeSample(page, sampleCore());
    await page.goto('/');
    await expect(page.getByTestId('sample-badge')).toBeVisible();
    await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-sample');
    await expect(page.getByTestId('file-name')).toHaveText('sample.vmcore');
    await page.getByTestId('file-input').setInputFiles({ name: 'other.vmcore', mimeType: 'application/octet-stream', buffer: elfCore() });
    await expect(page.getByTestId('file-name')).toHaveText('other.vmcore');
    await expect(page.getByTestId('sample-badge')).toHaveCount(0);
    await page.getByTestId('sample-button').click();
    await expect(page.getByTestId('file-name')).toHaveText('sample.vmcore');
    await expect(page.getByTestId('sample-badge')).toBeVisible();
  });

  test('a real kdump vmcore: summary with release, CPUs, crash facts and the memory map', async ({ page }) => {
    test.skip(!existsSync(REAL_DUMP), `real fixture ${REAL_DUMP} is absent (run the fixture setup: it decompresses ../shared/fixtures/*.vmcore.zst)`);
    await routeSample(page, null);
    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles(REAL_DUMP);
    await expect(page.getByTestId('summary')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-56-amd64');
    await expect(page.getByTestId('fact-cpus')).toHaveText('1');
    await expect(page.getByTestId('fact-arch')).toHaveText('x86_64');
    await expect(page.getByTestId('fact-page-size')).toHaveText('4 KiB');
    // Crash time, CPU and rip are shown once, in What happened, not again in the facts grid.
    await expect(page.getByTestId('crash-time')).toHaveText('2026-11-25 17:09:30');
    await expect(page.getByTestId('crash-cpu')).toHaveText('0');
    await expect(page.getByTestId('crash-ip')).toContainText('0xffffffffa33741ba');
    await expect(page.locator('[data-testid="fact-crashing-cpu"], [data-testid="fact-ip"], [data-testid="fact-crash-time"]')).toHaveCount(0);
    await expect(page.getByTestId('fact-max-pfn')).toHaveText('73,690');
    await expect(page.getByTestId('fact-phys-base')).toHaveText('-0x1bc00000');
    await expect(page.getByTestId('fact-kaslr')).toHaveText('0x22200000');
    await expect(page.getByTestId('fact-paging')).toHaveText('4');
    const table = page.getByTestId('segments-table');
    await expect(table.locator('tbody tr[data-kind="load"]')).toHaveCount(4);
    await expect(table.locator('tbody tr[data-kind="hole"]')).toHaveCount(3);
    await expect(page.getByTestId('warning')).toHaveCount(0);

    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'summary.png'), fullPage: true, animations: 'disabled' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'summary-dark.png'), fullPage: true, animations: 'disabled' });
  });

  test('no request leaves the serving origin', async ({ page, context, baseURL }) => {
    const origin = new URL(baseURL!).origin;
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const workerScripts: string[] = [];
    page.on('worker', (w) => workerScripts.push(w.url()));
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) cspViolations.push(m.text());
    });

    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles({ name: 'no-info.vmcore', mimeType: 'application/octet-stream', buffer: elfCore() });
    await expect(page.getByTestId('summary')).toBeVisible();
    if (existsSync(REAL_DUMP)) {
      await page.getByTestId('file-input').setInputFiles(REAL_DUMP);
      await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-56-amd64', { timeout: 60_000 });
    }
    await page.getByTestId('sample-button').click();
    await expect(page.locator('[data-testid="summary"], [data-testid="error-panel"]')).toBeVisible();

    // The worker really ran (its script came from the origin), so its requests would have been seen.
    expect(workerScripts.length).toBeGreaterThan(0);
    expect(requests.some((u) => /\/assets\/dump-worker-[\w-]+\.js$/.test(u))).toBe(true);
    const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(foreign, `requests outside ${origin}`).toEqual([]);
    expect(cspViolations, 'the app itself never trips the CSP').toEqual([]);

    // The recorder does see requests made from inside a worker (so the check above covers the dump worker) ...
    const probe = await page.evaluate(async () => {
      const src = `fetch('${location.origin}/favicon.svg?from-worker').then(() => postMessage('ok'), (e) => postMessage(String(e)))`;
      const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      return await new Promise((r) => (w.onmessage = (e) => r(e.data)));
    });
    expect(probe).toBe('ok');
    expect(requests.some((u) => u.endsWith('/favicon.svg?from-worker'))).toBe(true);

    // ... and the policy (not just a closed port) refuses a connection elsewhere, from the page and from a worker.
    const fromPage = await page.evaluate(async () => {
      const violation = new Promise((r) => document.addEventListener('securitypolicyviolation', (e) => r(e.effectiveDirective), { once: true }));
      const outcome = await fetch('http://127.0.0.1:9/upload', { method: 'POST', body: 'x' }).then(() => 'sent', () => 'failed');
      return [outcome, await Promise.race([violation, new Promise((r) => setTimeout(() => r('no violation'), 3000))])];
    });
    expect(fromPage).toEqual(['failed', 'connect-src']);
    const fromWorker = await page.evaluate(async () => {
      const src = `
        const violation = new Promise((r) => self.addEventListener('securitypolicyviolation', (e) => r(e.effectiveDirective), { once: true }));
        const outcome = fetch('http://127.0.0.1:9/upload', { method: 'POST', body: 'x' }).then(() => 'sent', () => 'failed');
        Promise.all([outcome, Promise.race([violation, new Promise((r) => setTimeout(() => r('no violation'), 3000))])]).then((r) => postMessage(r));`;
      const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      return await new Promise((r) => (w.onmessage = (e) => r(e.data)));
    });
    expect(fromWorker).toEqual(['failed', 'connect-src']);
  });

  test('dropping a file on the drop zone reads it', async ({ page }) => {
    await routeSample(page, null);
    await page.goto('/');
    const dataTransfer = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])], 'dropped.bin'));
      return dt;
    });
    const zone = page.getByTestId('drop-zone');
    await zone.dispatchEvent('dragenter', { dataTransfer });
    await expect(zone).toContainText('Release to read this dump');
    await zone.dispatchEvent('dragover', { dataTransfer });
    await zone.dispatchEvent('drop', { dataTransfer });
    await expect(page.getByTestId('error-headline')).toHaveText('Not a crash dump');
    await expect(page.getByTestId('error-message')).toContainText('dropped.bin');
    await expect(zone).not.toContainText('Release to read this dump');
  });

  test('keyboard: Tab reaches the Open button and the drop zone; Enter on the drop zone opens a file', async ({ page }) => {
    await routeSample(page, null);
    // Without the File System Access picker, the page falls back to <input type=file> (Firefox, Safari).
    // The native chooser is not awaited (its interception races the key press under load): the test records
    // that Enter clicked the file input, then gives that input a file as the chooser would.
    await page.addInitScript(() => {
      Object.defineProperty(window, 'showOpenFilePicker', { value: undefined, configurable: true });
      const w = window as unknown as { fileInputClicks: number };
      w.fileInputClicks = 0;
      const click = HTMLInputElement.prototype.click;
      HTMLInputElement.prototype.click = function (this: HTMLInputElement) {
        if (this.type === 'file') w.fileInputClicks++;
        else click.call(this);
      };
    });
    await page.goto('/');
    const tabbed: string[] = [];
    // Stop at the drop zone: tabbing past the last control would move focus out of the document.
    for (let i = 0; i < 6 && tabbed.at(-1) !== 'drop-zone'; i++) {
      await page.keyboard.press('Tab');
      tabbed.push(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? ''));
    }
    expect(tabbed).toEqual(['open-button', 'sample-button', 'drop-zone']);
    await expect(page.getByTestId('drop-zone')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => (window as unknown as { fileInputClicks: number }).fileInputClicks)).toBe(1);
    await page.getByTestId('file-input').setInputFiles({ name: 'typed.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('hello, not a dump') });
    await expect(page.getByTestId('error-headline')).toHaveText('Not a crash dump');
  });

  test('keyboard: Space on the drop zone uses showOpenFilePicker where the browser has it', async ({ page }) => {
    await routeSample(page, null);
    await page.addInitScript(() => {
      const w = window as unknown as { showOpenFilePicker: unknown; pickerCalls: number };
      w.pickerCalls = 0;
      w.showOpenFilePicker = async () => {
        w.pickerCalls++;
        return [{ getFile: async () => new File([new Uint8Array(0)], 'picked-empty.vmcore') }];
      };
    });
    await page.goto('/');
    await page.getByTestId('drop-zone').focus();
    await page.keyboard.press('Space');
    await expect(page.getByTestId('error-headline')).toHaveText('Empty file');
    expect(await page.evaluate(() => (window as unknown as { pickerCalls: number }).pickerCalls)).toBe(1);
    await page.getByTestId('open-button').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => (window as unknown as { pickerCalls: number }).pickerCalls)).toBe(2);
  });
});
