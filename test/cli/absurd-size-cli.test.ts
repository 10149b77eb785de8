import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DISK_DUMP_HEADER_SIZE, KDUMP_SIGNATURE, encodeDiskDumpHeader, encodeSubHeader } from '../../src/formats/kdump/diskdump.js';
import { repoRoot } from '../helpers/fixtures.js';

/**
 * A kdump header's counts are checked against limits before anything is allocated or read (issue 27): a claim of
 * 2^34 pfns ended in a RangeError from readSync, 2^32 took 37 s and 2.1 GB. The files here are sparse and as large
 * as their headers say, so only the limit, not the file size, can refuse them.
 */

const dir = mkdtempSync(join(tmpdir(), 'vmsieve-absurd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BS = 4096;

/** A header-version-6 kdump file claiming `pfns` pfns, with bitmap blocks for them and a sparse body to match. */
function claimingPfns(pfns: number): string {
  const path = join(dir, `pfns-${pfns}.kdump`);
  const bitmapBlocks = 2 * Math.ceil(pfns / 8 / BS);
  const header = encodeDiskDumpHeader({
    signature: KDUMP_SIGNATURE, headerVersion: 6, utsname: new Uint8Array(390), timestampSec: 0n, timestampUsec: 0n, status: 0,
    blockSize: BS, subHdrSize: 1, bitmapBlocks: bitmapBlocks >>> 0, maxMapnr: Math.min(pfns, 0xffffffff), totalRamBlocks: 0,
    deviceBlocks: 0, writtenBlocks: 0, currentCpu: 0, nrCpus: 1,
  });
  const u = new Uint8Array(390);
  u.set(new TextEncoder().encode('x86_64'), 4 * 65);
  header.set(u, 12);
  const sub = encodeSubHeader({
    physBase: 0n, dumpLevel: 31, split: 0, startPfn: 0n, endPfn: 0n, offsetVmcoreinfo: 0n, sizeVmcoreinfo: 0n, offsetNote: 0n, sizeNote: 0n,
    offsetEraseinfo: 0n, sizeEraseinfo: 0n, startPfn64: 0n, endPfn64: 0n, maxMapnr64: BigInt(pfns),
  });
  const fd = openSync(path, 'w');
  writeSync(fd, header, 0, DISK_DUMP_HEADER_SIZE, 0);
  writeSync(fd, sub, 0, sub.length, BS);
  // One byte at the end makes the file (sparsely) as long as the header's bitmaps and a descriptor table.
  writeSync(fd, new Uint8Array(1), 0, 1, (2 + bitmapBlocks) * BS + 24 * 1024);
  closeSync(fd);
  return path;
}

/** The command under /usr/bin/time: exit status, stderr, seconds and peak RSS in MiB. */
function timed(args: string[]): { status: number | null; stderr: string; seconds: number; maxRssMiB: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %M', process.execPath, join(repoRoot, 'bin/vmsieve.js'), ...args], { encoding: 'utf8' });
  const m = /@@time ([\d.]+) (\d+)/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  return { status: r.status, stderr: r.stderr, seconds: Number(m![1]), maxRssMiB: Number(m![2]) / 1024 };
}

const hasTime = spawnSync('/usr/bin/time', ['-f', '%e', 'true']).status === 0;

describe.skipIf(!hasTime)('a kdump header claiming absurdly many pfns', () => {
  it.each([2 ** 32, 2 ** 34, 2 ** 40])('max_mapnr %d: --info and --dry-run refuse it without reading or allocating for it (no hang, under 200 MiB)', (pfns) => {
    const path = claimingPfns(pfns);
    for (const args of [['--info', path], ['--dry-run', '-d', '31', path, join(dir, 'out')]]) {
      const r = timed(args);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`E_ABSURD_SIZE: .*max_mapnr ${pfns} is not plausible`));
      expect(r.stderr).not.toMatch(/RangeError|    at /);
      // A guard against a hang or a walk over 2^32 pfns, not a speed goal (a loaded 2-core machine took 1.8 s).
      expect(r.seconds).toBeLessThan(15);
      expect(r.maxRssMiB).toBeLessThan(200);
    }
  });
});
