import { defineConfig, devices } from '@playwright/test';

const port = Number(process.env.VMSIEVE_E2E_PORT ?? 4173);
/** Where scripts/static-server.js serves dist/ as a static host would: only the headers dist/_headers gives. */
const hostPort = port + 1;

/** Specs that measure the page's own timing (long tasks): they run alone, after the rest. */
const TIMED = ['map-smooth.spec.ts'];

const chromium = {
  ...devices['Desktop Chrome'],
  viewport: { width: 1280, height: 900 },
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  },
};

/**
 * End-to-end tests of the built page (dist/, built by `npm run build:web`), served by scripts/serve.js with the
 * production headers (CSP, COOP/COEP), in Debian's Chromium: Playwright never downloads a browser here. The
 * static-host project runs the privacy and offline checks again on dist/ served as a static host would serve it.
 */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: '.cache/playwright',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // Two files at a time: most of a test is waiting (navigation, polling, the page's own workers). Timings are measured
  // alone, in the 'alone' project, once every other test has finished.
  fullyParallel: false,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: '.cache/results/playwright.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  webServer: [
    {
      command: `node scripts/serve.js --port ${port}`,
      url: `http://127.0.0.1:${port}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `node scripts/static-server.js --port ${hostPort}`,
      url: `http://127.0.0.1:${hostPort}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
  projects: [
    { name: 'chromium', use: chromium, testIgnore: TIMED },
    { name: 'alone', use: chromium, testMatch: TIMED, dependencies: ['chromium', 'static-host'], workers: 1 },
    {
      // dist/ deployed as it is: the privacy and offline checks again, with the headers coming from _headers alone.
      name: 'static-host',
      testMatch: ['offline.spec.ts', 'page.spec.ts'],
      grep: [/offline once loaded/, /offline keeps every file/, /no request leaves the serving origin/, /served with a strict CSP header/],
      use: { ...chromium, baseURL: `http://127.0.0.1:${hostPort}` },
    },
  ],
});
