import { defineConfig } from 'vitest/config';

/**
 * The page in Firefox ESR (test/firefox), driven by puppeteer-core over WebDriver BiDi: Playwright drives only its own
 * patched Firefox. Runs after the Playwright suite in `npm test`, on dist/ as built for it.
 */
export default defineConfig({
  test: {
    include: ['test/firefox/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
    globalSetup: ['test/setup/fixtures.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.cache/results/vitest-firefox.json' },
  },
});
