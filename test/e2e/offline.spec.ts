import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createServer } from 'vite';
import { sampleCore } from '../helpers/elf-builder.js';
import { repoRoot } from '../helpers/fixtures.js';

const DIST = join(repoRoot, 'dist');
/** The bundled sample, here opened as a dump of one's own: the service worker does not keep it (README, "Set up"). */
const SAMPLE = join(DIST, 'sample.vmcore');

/** Every file of the build, relative to dist/, with forward slashes. */
function distFiles(): string[] {
  return readdirSync(DIST, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(DIST, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** Waits until the page says it works offline, which it does once a service worker controls it. */
async function readyOffline(page: Page): Promise<void> {
  await expect(page.getByTestId('offline-status')).toContainText('Ready offline');
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/);
}

/** Serves a stand-in for the build's sample.vmcore, through the page's route (which sees only what reaches the network). */
async function routeSample(page: Page): Promise<void> {
  await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: sampleCore() }));
}

function recordCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) violations.push(m.text());
  });
  return violations;
}

test.describe('offline', () => {
  test('once loaded, the page reloads and reads, analyses a dump with the network off', async ({ page, context }) => {
    const cspViolations = recordCspViolations(page);
    const first = await page.goto('/');
    await readyOffline(page);
    expect(first?.headers()['cross-origin-embedder-policy']).toBe('require-corp');

    await context.setOffline(true);
    // Really offline: what the worker does not keep (here, the 58 MB sample) cannot be fetched.
    expect(await page.evaluate(() => fetch('./sample.vmcore').then(() => 'fetched', () => 'failed'))).toBe('failed');

    // Who answered each request from here on: the browser's HTTP cache could serve hashed assets offline too.
    const answeredBy = new Map<string, 'service worker' | 'elsewhere'>();
    context.on('response', (r) => answeredBy.set(new URL(r.url()).pathname, r.fromServiceWorker() ? 'service worker' : 'elsewhere'));
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(new URL(w.url()).pathname));
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await readyOffline(page);
    // The cached page kept the server's headers: still under the strict CSP and COEP.
    expect(reloaded?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    expect(reloaded?.headers()['content-security-policy']).toContain("default-src 'none'");
    // Without its sample the page opens on the drop zone, as a build without one does; no error.
    await expect(page.getByTestId('drop-zone')).toContainText('Drop a vmcore here');
    await expect(page.getByTestId('error-panel')).toHaveCount(0);

    // A dump of one's own: read by the dump worker, classified with the cached wasm, measured by compute workers.
    await page.getByTestId('file-input').setInputFiles(SAMPLE);
    await expect(page.getByTestId('fact-release')).toHaveText(/^\d+\.\d+\.\d+/);
    await page.getByTestId('export-workers').fill('2');
    await page.getByTestId('analyse-button').click();
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 45_000 });
    expect(Number(await page.getByTestId('size-31-kdump-zlib').getAttribute('data-bytes'))).toBeGreaterThan(0);
    expect(workers.some((w) => w.startsWith('/assets/browser-compute-worker-'))).toBe(true);
    const shell = [...answeredBy].filter(([path]) => path === '/' || path.startsWith('/assets/'));
    expect(shell.map(([path]) => path)).toEqual(expect.arrayContaining([expect.stringMatching(/\.wasm$/), expect.stringMatching(/dump-worker/), expect.stringMatching(/browser-compute-worker/)]));
    expect(shell.filter(([, by]) => by !== 'service worker')).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  test('where no service worker runs, the page says nothing about offline use and works as before', async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL, serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      await routeSample(page);
      await page.goto('/');
      await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-sample');
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
      await expect(page.getByTestId('offline-status')).toHaveText('');
    } finally {
      await context.close();
    }
  });

  test('keeps every file of the build but the sample, in a cache named for the build, and drops other builds’ caches', async ({ page }) => {
    // A page of the origin that runs no app code, to leave a cache as an earlier build would have (and one not ours).
    await page.goto('/favicon.svg');
    await page.evaluate(async () => {
      await (await caches.open('vmsieve-shell-0123456789abcdef')).put('/stale', new Response('old build'));
      await (await caches.open('not-vmsieve')).put('/kept', new Response('someone else’s'));
    });
    await page.goto('/');
    await readyOffline(page);

    const { names, kept } = await page.evaluate(async () => {
      const names = (await caches.keys()).sort();
      const ours = names.find((n) => n.startsWith('vmsieve-shell-'));
      const requests = ours ? await (await caches.open(ours)).keys() : [];
      return { names, kept: requests.map((r) => new URL(r.url).pathname.slice(1)).sort() };
    });
    expect(names).toHaveLength(2);
    expect(names[0]).toBe('not-vmsieve');
    const version = /^vmsieve-shell-([0-9a-f]{16})$/.exec(names[1])?.[1];
    expect(version, `cache names: ${names.join(', ')}`).toBeDefined();
    expect(readFileSync(join(DIST, 'sw.js'), 'utf8')).toContain(`"version": "${version}"`);
    // _headers is the static host's configuration, which it does not serve.
    expect(kept).toEqual(distFiles().filter((f) => f !== 'sample.vmcore' && f !== 'sw.js' && f !== '_headers'));
    expect(kept).toContain('index.html');
    expect(kept.some((f) => /^assets\/vmsieve-[\w-]+\.wasm$/.test(f))).toBe(true);
    expect(kept.some((f) => /^assets\/dump-worker-[\w-]+\.js$/.test(f))).toBe(true);
  });

  test('what the worker does not keep goes to the network untouched, where page routes still see it', async ({ page }) => {
    await routeSample(page);
    await page.goto('/');
    await readyOffline(page);
    // The reloaded page is controlled from its start. Had the worker answered the sample's request itself, the route
    // would not have seen it and the build's own sample would have opened.
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await expect(page.getByTestId('fact-release')).toHaveText('6.1.0-sample');
  });

  test('the development server (vite) registers no service worker', async ({ page, context }) => {
    test.setTimeout(90_000);
    const server = await createServer({
      configFile: join(repoRoot, 'vite.config.ts'),
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0 }, // any free port: never another session's server
    });
    try {
      await server.listen();
      const url = server.resolvedUrls?.local[0];
      expect(url).toBeDefined();
      const swRequests: string[] = [];
      // The context sees the worker script's fetch (the page does not), even when registering then fails on a 404.
      context.on('request', (r) => {
        if (r.url().endsWith('/sw.js')) swRequests.push(r.url());
      });
      await page.goto(url!);
      await expect(page.getByTestId('privacy-note')).toBeVisible({ timeout: 60_000 });
      // Registration would start at the load event; give it time to show up.
      await page.evaluate(() => new Promise((r) => setTimeout(r, 1500)));
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
      expect(swRequests).toEqual([]);
      await expect(page.getByTestId('offline-status')).toHaveText('');
    } finally {
      await server.close();
    }
  });
});
