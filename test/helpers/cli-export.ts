import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

/** Size and sha256 of a file. */
export function fileDigest(path: string): { size: number; sha256: string } {
  return digest(readFileSync(path));
}

const digest = (bytes: Buffer) => ({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });

/** What `vmsieve ...args INPUTS... OUT` writes to OUT (the CLI is the reference the page must equal). */
export function cliOutput(args: readonly string[], inputs: string | readonly string[]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'vmsieve-cli-export-'));
  try {
    const out = join(dir, 'out');
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), ...args, ...(typeof inputs === 'string' ? [inputs] : inputs), out]);
    if (r.status !== 0) throw new Error(`vmsieve ${args.join(' ')} ${inputs} failed: ${r.stderr}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Size and sha256 of what `vmsieve ...args INPUTS... OUT` writes. */
export function cliOutputDigest(args: readonly string[], inputs: string | readonly string[]): { size: number; sha256: string } {
  return digest(cliOutput(args, inputs));
}
