// Prints one line, "N passed, N failed[, N skipped]", counted from the runners' own JSON results.
import { existsSync, readFileSync } from 'node:fs';

const read = (p) => (existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : undefined);
let passed = 0;
let failed = 0;
let skipped = 0;

for (const [file, what] of [
  ['.cache/results/vitest.json', 'the unit tests'],
  ['.cache/results/vitest-firefox.json', 'the Firefox tests'],
]) {
  const vitest = read(file);
  if (vitest) {
    passed += vitest.numPassedTests;
    failed += vitest.numFailedTests + filesThatFailedToLoad(vitest);
    skipped += vitest.numPendingTests + vitest.numTodoTests;
  } else {
    console.error(`test-summary: no vitest results (${file}): ${what} did not run`);
    failed += 1;
  }
}

const pw = read('.cache/results/playwright.json');
if (pw) {
  passed += pw.stats.expected + pw.stats.flaky;
  failed += pw.stats.unexpected + (pw.errors?.length ?? 0);
  skipped += pw.stats.skipped;
} else {
  console.error('test-summary: no Playwright results (.cache/results/playwright.json): the browser tests did not run');
  failed += 1;
}

/** A test file that failed without a failed test (an import or setup error) counts as one failure. */
function filesThatFailedToLoad(v) {
  return v.testResults.filter((r) => r.status === 'failed' && !r.assertionResults.some((a) => a.status === 'failed')).length;
}

// Tests that passed another way than usual say so here (test/helpers/summary-notes.ts), where the summary is read.
if (existsSync('.cache/results/notes.txt')) process.stdout.write(readFileSync('.cache/results/notes.txt', 'utf8'));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
