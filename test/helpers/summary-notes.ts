import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

const results = join(repoRoot, '.cache', 'results');

/** A line the test summary prints after the counts (scripts/test-summary.js): what passed, but not the usual way. */
export function noteForSummary(line: string): void {
  mkdirSync(results, { recursive: true });
  appendFileSync(join(results, 'notes.txt'), `${line}\n`);
}
