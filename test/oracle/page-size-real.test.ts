/**
 * Dumps whose pages are not 4 KiB: libkdumpfile reads every codec's -d 31 output of vmsieve page for page like the
 * uncompressed one, with the header's block size as its page size. On fixtures/real's 16 KiB arm64 kdump the
 * uncompressed file is makedumpfile's (export-real.test.ts compares their sha256); on the generator's 64 KiB arm64
 * machines, libkdumpfile also reads each of its pages as the vmcore holds it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ARM64_SHAPES } from '../../fixtures/gen/arm64.js';
import { generateVmcore } from '../../fixtures/gen/generate.js';
import { vmsieve } from '../helpers/cli.js';
import { python } from '../helpers/decoders.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const large = realFixtures().filter((f) => Number(f.oracle.vmcoreinfo_summary.PAGESIZE) !== 4096);
const hasKdumpfile = existsSync(python) && spawnSync(python, ['-c', 'import kdumpfile'], { stdio: 'ignore' }).status === 0;
const skip =
  realFixturesSkipReason() ??
  (large.length === 0 ? 'no real dump with pages other than 4 KiB (fixtures/real)' : undefined) ??
  (hasKdumpfile ? undefined : `${python} cannot import kdumpfile (apt-get install python3-libkdumpfile)`);
if (skip) console.warn(`[page-size-real] skipped: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'vmsieve-page-size-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// For each pfn up to max_mapnr that the reference file holds: the sha256 of what both files give at its physical
// address; prints the page size, how many pages were compared, the pfns that differ or that the other file lacks,
// and how many pfns only the other file has.
const compare = String.raw`
import hashlib, json, sys, kdumpfile
ref, out = kdumpfile.kdumpfile(sys.argv[1]), kdumpfile.kdumpfile(sys.argv[2])
ps = out.attr['arch.page_size']
def page(k, pfn):
    try:
        return hashlib.sha256(k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * ps, ps)).digest()
    except kdumpfile.exceptions.NoDataException:
        return None
pages, problems, extra = 0, [], 0
for pfn in range(int(sys.argv[3])):
    a, b = page(ref, pfn), page(out, pfn)
    if a is None:
        extra += b is not None
        continue
    pages += 1
    if a != b: problems.append(pfn)
print(json.dumps({'page_size': ps, 'ref_page_size': ref.attr['arch.page_size'], 'pages': pages, 'problems': problems[:20], 'count': len(problems), 'extra': extra}))
`;

describe.skipIf(!!skip)('libkdumpfile reads vmsieve output of dumps with large pages', () => {
  it.each(large.flatMap((f) => ['-c', '-l', '-p', '-z'].map((flag) => [f.name, flag, f] as const)))('%s %s -d 31', (_name, flag, f) => {
    const ps = Number(f.oracle.vmcoreinfo_summary.PAGESIZE);
    const ref = join(dir, `${f.name}.d31`);
    if (!existsSync(ref)) expect(vmsieve(['-d', '31', f.vmcore, ref]).status).toBe(0);
    const out = join(dir, `${f.name}${flag}.d31`);
    const w = vmsieve([flag, '-d', '31', f.vmcore, out]);
    expect(w.status, w.stderr).toBe(0);
    const got = comparePages(ref, out, f.oracle.counts_by_level['31'].total_pages, ps);
    expect(got.pages).toBeGreaterThan(1000);
    expect(got.extra).toBe(0);
    rmSync(out);
  });
});

/** Runs the comparison; checks both files have `ps`-byte pages and agree on every page the first one holds. */
function comparePages(ref: string, out: string, maxPfn: number, ps: number): { pages: number; extra: number } {
  const r = spawnSync(python, ['-c', compare, ref, out, String(maxPfn)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(r.status, r.stderr).toBe(0);
  const got = JSON.parse(r.stdout);
  expect(got.page_size).toBe(ps);
  expect(got.ref_page_size).toBe(ps);
  expect({ count: got.count, problems: got.problems }).toEqual({ count: 0, problems: [] });
  return got;
}

const syntheticSkip = hasKdumpfile ? undefined : `${python} cannot import kdumpfile (apt-get install python3-libkdumpfile)`;
describe.skipIf(!!syntheticSkip)('libkdumpfile reads vmsieve output of the generator\'s 64 KiB arm64 machines', () => {
  it.each(['64k-48', '64k-52-lpa'])('%s: every codec at -d 31, and the uncompressed file against the vmcore', async (name) => {
    const vmcore = join(dir, `${name}.vmcore`);
    const prediction = await generateVmcore(vmcore, { arm64: ARM64_SHAPES[name]!, memoryMiB: 320, seed: 5 });
    const ref = join(dir, `${name}.d31`);
    expect(vmsieve(['-d', '31', vmcore, ref]).status).toBe(0);
    const direct = comparePages(ref, vmcore, prediction.maxPfn, 65536);
    expect(direct.pages).toBeGreaterThan(100);
    expect(direct.pages).toBeLessThanOrEqual(prediction.levels[31]!.remaining);
    for (const flag of ['-c', '-l', '-p', '-z']) {
      const out = join(dir, `${name}${flag}.d31`);
      expect(vmsieve([flag, '-d', '31', vmcore, out]).status).toBe(0);
      expect(comparePages(ref, out, prediction.maxPfn, 65536).extra, flag).toBe(0);
      rmSync(out);
    }
    rmSync(vmcore);
  });
});
