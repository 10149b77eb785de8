/**
 * makedumpfile in one pass (max_mapnr a multiple of 4, its bitmaps in a file) sets the 1st-bitmap bit of a PT_LOAD's
 * partial last page and counts it among the original (and so the remaining) pages, but never examines or writes it
 * (create_1st_bitmap_file against create_bitmap_from_memhole). The x86_64 kdump fixture has such a page (its
 * low-memory PT_LOAD ends at 0x9fc00) but a max_mapnr that makes makedumpfile cycle: a copy whose last PT_LOAD is two
 * pages shorter (73688 pfns) makes it work in one pass.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, openSync, readSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { makedumpfileFor, realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';
import { sha256 } from '../helpers/oracle-outputs.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const fixture = realFixtures().find((f) => f.name === NAME);
const mdf = makedumpfileFor('x86_64');
const skip = realFixturesSkipReason() ?? mdf.skip ?? (fixture ? undefined : `the ${NAME} fixture is missing`);
const dir = mkdtempSync(join(tmpdir(), 'vmsieve-one-pass-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the vmcore whose last program header has its p_filesz and p_memsz two pages shorter. */
function shortened(vmcore: string): string {
  const out = join(dir, 'one-pass.vmcore');
  copyFileSync(vmcore, out);
  const fd = openSync(out, 'r+');
  try {
    const eh = Buffer.alloc(64);
    readSync(fd, eh, 0, 64, 0);
    const last = Number(eh.readBigUInt64LE(32)) + 56 * (eh.readUInt16LE(56) - 1);
    const sizes = Buffer.alloc(16);
    readSync(fd, sizes, 0, 16, last + 32);
    for (const at of [0, 8]) sizes.writeBigUInt64LE(sizes.readBigUInt64LE(at) - 0x2000n, at);
    writeSync(fd, sizes, 0, 16, last + 32);
  } finally {
    closeSync(fd);
  }
  return out;
}

const reportLines = (text: string) => text.split('\n').filter((l) => /^\s*(Original|Excluded|Remaining) pages|^Memory Hole|^Total pages/.test(l)).map((l) => l.trim());

describe.skipIf(!!skip)(`makedumpfile's one pass with a partial last page${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('-d 31: the same report and the same file as makedumpfile', async () => {
    const vmcore = shortened(fixture!.vmcore);
    const theirs = join(dir, 'mdf.d31');
    const m = spawnSync(mdf.cmd!, ['-d', '31', '--message-level', '31', vmcore, theirs], { encoding: 'utf8' });
    expect(m.status).toBe(0);
    expect(m.stdout + m.stderr).toContain('enough free memory to be done in one cycle');
    const ours = join(dir, 'ours.d31');
    const r = vmsieve(['-d', '31', '--message-level', '31', vmcore, ours]);
    expect(r.status, r.stderr).toBe(0);
    const want = reportLines(m.stdout + m.stderr);
    expect(want).toHaveLength(5);
    expect(reportLines(r.stdout)).toEqual(want);
    expect(await sha256(ours)).toBe(await sha256(theirs));
  }, 120_000);
});
