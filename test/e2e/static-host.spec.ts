import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { createStaticServer } from '../../scripts/serve.js';
import { headersForPath, parseHeadersFile } from '../../scripts/static-server.js';
import { repoRoot } from '../helpers/fixtures.js';

const DIST = join(repoRoot, 'dist');

test.describe('dist/ on a static host', () => {
  test.skip(!existsSync(join(DIST, '_headers')), 'dist/ is not built: run npm run build:web');

  let dir: string;
  let server: Server;
  let origin: string;

  test.beforeAll(async () => {
    // A host serving several sites, vmsieve's in a folder: dist/ copied there as it is, headers from its _headers.
    dir = mkdtempSync(join(tmpdir(), 'vmsieve-host-'));
    symlinkSync(DIST, join(dir, 'tools'));
    const rules = parseHeadersFile(readFileSync(join(DIST, '_headers'), 'utf8'));
    server = createStaticServer(dir, { headersFor: (path) => headersForPath(rules, path), hidden: ['tools/_headers'] });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  test.afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('works from a folder of the site: every file found, the sample read, the offline shell scoped to the folder', async ({ page }) => {
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    const response = await page.goto(`${origin}/tools/`);
    await expect(page.getByTestId('fact-release')).toHaveText(/^\d+\.\d+\.\d+/);
    await expect(page.getByTestId('offline-status')).toContainText('Ready offline');
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${origin}/tools/sw.js`);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope)).toBe(`${origin}/tools/`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(failed).toEqual([]);
  });
});
