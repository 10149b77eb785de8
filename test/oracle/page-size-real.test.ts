/**
 * Real dumps whose pages are not 4 KiB (fixtures/real's 16 KiB arm64 kdump): libkdumpfile reads every codec's
 * -d 31 output of vmsieve page for page like the uncompressed one (which export-real.test.ts proves byte-identical to
 * makedumpfile's), with the header's block size as its page size.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
// address; prints the page size, how many pages were compared, and the pfns that differ or that only one file has.
const compare = String.raw`
import hashlib, json, sys, kdumpfile
ref, out = kdumpfile.kdumpfile(sys.argv[1]), kdumpfile.kdumpfile(sys.argv[2])
ps = out.attr['arch.page_size']
def page(k, pfn):
    try:
        return hashlib.sha256(k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * ps, ps)).digest()
    except kdumpfile.exceptions.NoDataException:
        return None
pages, problems = 0, []
for pfn in range(int(sys.argv[3])):
    a, b = page(ref, pfn), page(out, pfn)
    if a is not None: pages += 1
    if a != b: problems.append(pfn)
print(json.dumps({'page_size': ps, 'ref_page_size': ref.attr['arch.page_size'], 'pages': pages, 'problems': problems[:20], 'count': len(problems)}))
`;

describe.skipIf(!!skip)('libkdumpfile reads vmsieve output of dumps with large pages', () => {
  it.each(large.flatMap((f) => ['-c', '-l', '-p', '-z'].map((flag) => [f.name, flag, f] as const)))('%s %s -d 31', (_name, flag, f) => {
    const ps = Number(f.oracle.vmcoreinfo_summary.PAGESIZE);
    const ref = join(dir, `${f.name}.d31`);
    if (!existsSync(ref)) expect(vmsieve(['-d', '31', f.vmcore, ref]).status).toBe(0);
    const out = join(dir, `${f.name}${flag}.d31`);
    const w = vmsieve([flag, '-d', '31', f.vmcore, out]);
    expect(w.status, w.stderr).toBe(0);
    const r = spawnSync(python, ['-c', compare, ref, out, String(f.oracle.counts_by_level['31'].total_pages)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.page_size).toBe(ps);
    expect(got.ref_page_size).toBe(ps);
    expect(got.pages).toBeGreaterThan(1000);
    expect({ count: got.count, problems: got.problems }).toEqual({ count: 0, problems: [] });
    rmSync(out);
  });
});
