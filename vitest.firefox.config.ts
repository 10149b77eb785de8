import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The page in Firefox ESR (test/firefox), driven by puppeteer-core over WebDriver BiDi: Playwright drives only its own
 * patched Firefox. Runs after the Playwright suite in `npm test`, on dist/ as built for it; one browser at a time.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/firefox/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    maxWorkers: 1,
    outputFile: { json: '.cache/results/vitest-firefox.json' },
  },
});
