import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, chmodSync, existsSync, mkdirSync, openSync, readSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { cacheDir, repoRoot } from './fixtures.js';

/**
 * Real dumps changed the way the page must cope with: cut short, refiltered, or from a kernel newer than the known
 * rules. Each is made once into .cache/derived/ (under a .partial name until whole) and reused.
 */

const dir = join(cacheDir, 'derived');

function made(name: string, make: (partial: string) => void): string {
  const path = join(dir, name);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.partial`;
  make(partial);
  renameSync(partial, path);
  return path;
}

/** A copy of `vmcore` that ends where its last PT_LOAD's data begins: on the x86_64 fixtures, before the mem_map. */
export async function cutBeforeLastSegment(vmcore: string): Promise<string> {
  const source = await NodeFileSource.open(vmcore);
  let at: number;
  try {
    at = Math.max(...(await openDump(source)).loads.map((l) => l.fileOffset));
  } finally {
    await source.close();
  }
  return made(`${basename(vmcore, '.vmcore')}-cut-${at.toString(16)}.vmcore`, (partial) => {
    copyFileSync(vmcore, partial);
    chmodSync(partial, 0o644);
    truncateSync(partial, at);
  });
}

/** `vmsieve -c -d LEVEL vmcore`: an input that is already filtered (kdump-compressed at that level). */
export function refiltered(vmcore: string, level: number): string {
  return made(`${basename(vmcore, '.vmcore')}-c-d${level}.kdump`, (partial) => {
    execFileSync('nice', ['-n', '10', process.execPath, join(repoRoot, 'bin/vmsieve.js'), '-c', '-d', String(level), '-f', vmcore, partial], { stdio: 'ignore' });
  });
}

/**
 * A copy of `vmcore` whose VMCOREINFO says OSRELEASE=`release` instead of `from` (the same length, so nothing moves):
 * the kernel a newer release would be, as far as the page rules can tell.
 */
export function withRelease(vmcore: string, from: string, release: string): string {
  if (release.length !== from.length) throw new Error(`${release} and ${from} differ in length`);
  return made(`${basename(vmcore, '.vmcore')}-${release}.vmcore`, (partial) => {
    // The notes come first in a kdump vmcore: the first OSRELEASE= is VMCOREINFO's, not a page of memory.
    const head = Buffer.alloc(1 << 20);
    const fd = openSync(vmcore, 'r');
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    const at = head.indexOf(`OSRELEASE=${from}\n`, 0, 'latin1');
    if (at < 0) throw new Error(`${vmcore}: no OSRELEASE=${from} in its first MiB`);
    copyFileSync(vmcore, partial);
    chmodSync(partial, 0o644);
    const out = openSync(partial, 'r+');
    try {
      writeSync(out, Buffer.from(`OSRELEASE=${release}`, 'latin1'), 0, release.length + 10, at);
    } finally {
      closeSync(out);
    }
  });
}
