/**
 * makedumpfile's file bitmap mode (max_mapnr a multiple of 4, its bitmaps in a file) on a PT_LOAD's partial last page.
 * The x86_64 kdump fixture has one (its low-memory PT_LOAD ends at 0x9fc00) but a max_mapnr that makes makedumpfile
 * cycle: a copy whose last PT_LOAD is two pages shorter (73688 pfns) puts it in file mode.
 *
 * vmsieve follows upstream (1.7.9++): the page is in both bitmaps, read with its missing tail as zeros, so at a level
 * with bit 1 it is a zero page when its bytes up to the segment end are zero, and at a level without it is written.
 * Debian's 1.7.2 counts it in "Remaining pages" at every level instead: against it the reports differ by exactly
 * that; against an upstream build (VMSIEVE_MAKEDUMPFILE_X86_64) reports and uncompressed files are the same.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { makedumpfileFor, realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';
import { sha256 } from '../helpers/oracle-outputs.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const PAGE = 4096;
const fixture = realFixtures().find((f) => f.name === NAME);
const mdf = makedumpfileFor('x86_64');
const skip = realFixturesSkipReason() ?? mdf.skip ?? (fixture ? undefined : `the ${NAME} fixture is missing`);
const upstreamCmd = process.env.VMSIEVE_MAKEDUMPFILE_X86_64;
const upstream = upstreamCmd && spawnSync(upstreamCmd, ['-v'], { stdio: 'ignore' }).status === 0 ? upstreamCmd : undefined;
const upstreamSkip = skip ?? (upstream ? undefined : 'VMSIEVE_MAKEDUMPFILE_X86_64 names no upstream x86_64 makedumpfile build');
const dir = mkdtempSync(join(tmpdir(), 'vmsieve-one-pass-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Load {
  offset: number;
  phys: number;
  fileSize: number;
  memSize: number;
}

function programHeaders(fd: number): { loads: Load[]; lastAt: number } {
  const eh = Buffer.alloc(64);
  readSync(fd, eh, 0, 64, 0);
  const phoff = Number(eh.readBigUInt64LE(32));
  const phnum = eh.readUInt16LE(56);
  const loads: Load[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = Buffer.alloc(56);
    readSync(fd, ph, 0, 56, phoff + 56 * i);
    if (ph.readUInt32LE(0) === 1)
      loads.push({ offset: Number(ph.readBigUInt64LE(8)), phys: Number(ph.readBigUInt64LE(24)), fileSize: Number(ph.readBigUInt64LE(32)), memSize: Number(ph.readBigUInt64LE(40)) });
  }
  return { loads, lastAt: phoff + 56 * (phnum - 1) };
}

/** A copy of the vmcore whose last program header has its p_filesz and p_memsz two pages shorter. */
function shortened(vmcore: string): string {
  const out = join(dir, 'one-pass.vmcore');
  copyFileSync(vmcore, out);
  const fd = openSync(out, 'r+');
  try {
    const { lastAt } = programHeaders(fd);
    const sizes = Buffer.alloc(16);
    readSync(fd, sizes, 0, 16, lastAt + 32);
    for (const at of [0, 8]) sizes.writeBigUInt64LE(sizes.readBigUInt64LE(at) - 0x2000n, at);
    writeSync(fd, sizes, 0, 16, lastAt + 32);
  } finally {
    closeSync(fd);
  }
  return out;
}

/** The partial last pages of the PT_LOADs whose bytes, from the page start to the segment end, are all zero. */
function zeroPartialPages(vmcore: string): { partial: number; zero: number } {
  const fd = openSync(vmcore, 'r');
  try {
    const partials = programHeaders(fd).loads.filter((l) => (l.phys + l.memSize) % PAGE !== 0);
    const zero = partials.filter((l) => {
      const from = Math.max(l.phys, Math.floor((l.phys + l.memSize) / PAGE) * PAGE);
      const bytes = Buffer.alloc(Math.max(0, l.phys + l.fileSize - from));
      readSync(fd, bytes, 0, bytes.length, l.offset + (from - l.phys));
      return bytes.every((b) => b === 0);
    });
    return { partial: partials.length, zero: zero.length };
  } finally {
    closeSync(fd);
  }
}

/** makedumpfile's report as label → pages ("Pages filled with zero" → 0x…), without the percentage and write lines. */
function report(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^\s*([A-Z][A-Za-z -]+?)\s*: (0x[0-9a-f]+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

function theirReport(cmd: string, level: number, vmcore: string): Record<string, number> {
  const m = spawnSync(cmd, ['--dry-run', '-d', String(level), '--message-level', '31', vmcore, join(dir, 'dry')], { encoding: 'utf8' });
  expect(m.status, m.stderr).toBe(0);
  expect(m.stdout + m.stderr).toContain('enough free memory to be done in one cycle');
  return report(m.stdout + m.stderr);
}

function ourReport(level: number, vmcore: string): Record<string, number> {
  const r = vmsieve(['--dry-run', '-d', String(level), '--message-level', '31', vmcore, join(dir, 'dry')]);
  expect(r.status, r.stderr).toBe(0);
  return report(r.stdout);
}

const LEVELS = [0, 1, 2, 16, 17, 30, 31];

describe.skipIf(!!skip)(`makedumpfile's file bitmap mode with a partial last page${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let vmcore: string;
  let zero: number;
  beforeAll(() => {
    vmcore = shortened(fixture!.vmcore);
    const pages = zeroPartialPages(vmcore);
    // The copy has the partial page this test is about.
    expect(pages.partial).toBeGreaterThan(0);
    zero = pages.zero;
  });

  it.each(LEVELS)("-d %i against Debian's 1.7.2: the same report but for the partial page (zero at levels with bit 1, where 1.7.2 keeps it)", (level) => {
    const theirs = theirReport(mdf.cmd!, level, vmcore);
    const ours = ourReport(level, vmcore);
    expect(Object.keys(theirs)).toHaveLength(12);
    expect(ours['Original pages']).toBe(theirs['Original pages']);
    expect(ours['Memory Hole']).toBe(theirs['Memory Hole']);
    const moved = level & 1 ? zero : 0;
    // 1.7.2's report has no "Extension filter pages" line (upstream's and vmsieve's have, 0 without eppic).
    expect(ours).toEqual({
      ...theirs,
      'Extension filter pages': 0,
      'Excluded pages': theirs['Excluded pages']! + moved,
      'Pages filled with zero': theirs['Pages filled with zero']! + moved,
      'Remaining pages': theirs['Remaining pages']! - moved,
    });
  }, 120_000);
});

describe.skipIf(!!upstreamSkip)(`the same against upstream makedumpfile${upstreamSkip ? ` (skipped: ${upstreamSkip})` : ''}`, () => {
  let vmcore: string;
  beforeAll(() => {
    vmcore = shortened(fixture!.vmcore);
  });

  it.each(LEVELS)('-d %i: the same report', (level) => {
    expect(ourReport(level, vmcore)).toEqual(theirReport(upstream!, level, vmcore));
  }, 120_000);

  it.each([0, 31])('-d %i: the same uncompressed kdump file', async (level) => {
    const theirs = join(dir, `upstream.d${level}`);
    const ours = join(dir, `ours.d${level}`);
    expect(spawnSync(upstream!, ['-d', String(level), vmcore, theirs]).status).toBe(0);
    const r = vmsieve(['-d', String(level), vmcore, ours]);
    expect(r.status, r.stderr).toBe(0);
    expect(await sha256(ours)).toBe(await sha256(theirs));
    rmSync(theirs);
    rmSync(ours);
  }, 300_000);
});
