import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

/** Size and sha256 of a file. */
export function fileDigest(path: string): { size: number; sha256: string } {
  const bytes = readFileSync(path);
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Size and sha256 of what `vmsieve ...args DUMP OUT` writes (the CLI is the reference the page's exports must equal). */
export function cliOutputDigest(args: string[], dump: string): { size: number; sha256: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vmsieve-cli-export-'));
  try {
    const out = join(dir, 'out');
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), ...args, dump, out]);
    if (r.status !== 0) throw new Error(`vmsieve ${args.join(' ')} ${dump} failed: ${r.stderr}`);
    return fileDigest(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
