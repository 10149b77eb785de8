// Runs every suite even when an earlier one fails, so one run reports everything; exits non-zero on any failure.
import { spawnSync } from 'node:child_process';

const suites = [
  ['vitest', ['run']],
  ['playwright', ['test']],
  // The page in Firefox ESR, through puppeteer-core (test/firefox): skipped, saying why, without firefox-esr.
  ['vitest', ['run', '--config', 'vitest.firefox.config.ts']],
];
let status = 0;
for (const [bin, args] of suites) {
  const r = spawnSync('npx', ['--no-install', bin, ...args], { stdio: 'inherit' });
  if (r.status !== 0) status = 1;
}
process.exit(status);
