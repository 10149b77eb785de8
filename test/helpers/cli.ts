import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built command exactly as a user would (`npx vmsieve` resolves to bin/vmsieve.js). */
export function vmsieve(args: string[], input?: Buffer): CliResult {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), ...args], {
    input,
    encoding: 'buffer',
    maxBuffer: 1 << 30,
  });
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}
