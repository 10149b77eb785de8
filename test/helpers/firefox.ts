import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createStaticServer } from '../../scripts/serve.js';
import { repoRoot } from './fixtures.js';

/** Debian's Firefox ESR (`apt-get install firefox-esr`; .ci/run installs it). */
export const firefoxPath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const dist = join(repoRoot, 'dist');

/** Why the Firefox tests cannot run here, or undefined. */
export function firefoxSkipReason(): string | undefined {
  if (!existsSync(firefoxPath)) return `Firefox ESR not found at ${firefoxPath} (apt-get install firefox-esr, or set FIREFOX_PATH)`;
  if (!existsSync(join(dist, 'index.html'))) return 'dist/ is not built (npm run build:web)';
  return undefined;
}

export interface FirefoxPage {
  page: Page;
  /** Where the browser saves downloads. */
  downloads: string;
  /** What the page printed to its console and the errors it threw, to say why a wait ran out. */
  log: string[];
  close(): Promise<void>;
}

/**
 * The built page (dist/, served with the production headers as `npm start` serves it) in headless Firefox ESR, driven
 * over WebDriver BiDi (Playwright drives only its own patched Firefox), once its service worker controls it; downloads
 * go to a fresh folder without asking.
 */
export async function openFirefoxPage(): Promise<FirefoxPage> {
  const server = createStaticServer(dist);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const downloads = mkdtempSync(join(tmpdir(), 'vmsieve-firefox-downloads-'));
  const log: string[] = [];
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    rmSync(downloads, { recursive: true, force: true });
  };
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: firefoxPath,
      protocol: 'webDriverBiDi',
      headless: true,
      downloadBehavior: { policy: 'allow', downloadPath: downloads },
      // The downloads panel would open over the page at each download and take the focus from it (no blur, no change).
      extraPrefsFirefox: { 'browser.download.alwaysOpenPanel': false },
      defaultViewport: { width: 1280, height: 900 },
    });
    const page = await browser.newPage();
    page.on('console', (m) => void log.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => void log.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
    // The bundled sample stays out of it: the test opens its own dump.
    await page.setRequestInterception(true);
    page.on('request', (r) => void (r.url().endsWith('/sample.vmcore') ? r.respond({ status: 404, body: 'Not found' }) : r.continue()));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, { timeout: 30_000 });
    return { page, downloads, log, close };
  } catch (e) {
    await close();
    throw e;
  }
}
