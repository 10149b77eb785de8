import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { fixtureCacheDir, realFixtures } from '../helpers/fixtures.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const DUMP = join(fixtureCacheDir, `${NAME}.vmcore`);
const fixture = existsSync(DUMP) ? realFixtures().find((f) => f.name === NAME) : undefined;

/**
 * A browser where the compute workers cannot start (here their script is refused) still analyses: the work runs on
 * the dump worker's thread, the figures are the same, and the page says why it was slower.
 */
test('where compute workers cannot start, Analyse runs on one thread, gives makedumpfile’s size and says why', async ({ browser }, info) => {
  test.skip(!fixture, `real fixture missing: ${DUMP} and its makedumpfile oracle (run the fixture setup)`);
  // No service worker: it would answer the worker script from its cache, past the route.
  const context = await browser.newContext({ baseURL: info.project.use.baseURL, serviceWorkers: 'block' });
  await context.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  // The dump worker's nested workers' requests pass no route: the dump worker is given a Worker whose script is missing.
  await context.route('**/dump-worker*.js', async (route) => {
    const response = await route.fetch();
    const original = await response.text();
    const missing = `const Real = self.Worker; self.Worker = class extends Real { constructor(_u, o) { super(new URL('/no-such-worker.js', location.href), o); } };\n`;
    await route.fulfill({ response, body: missing + original });
  });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(DUMP);
  await page.getByTestId('analyse-button').click();
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 120_000 });
  await expect(page.getByTestId('workers-failed')).toContainText('could not start');
  const want = (fixture!.oracle.matrix as { format_requested: string; dump_level: number; output_size: number; rc: number }[]).find(
    (m) => m.format_requested === 'kdump-uncompressed' && m.dump_level === 31 && m.rc === 0,
  )!;
  expect(Number(await page.getByTestId('size-31-kdump-none').getAttribute('data-bytes'))).toBe(want.output_size);
  await context.close();
});
