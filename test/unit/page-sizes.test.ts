// Pages of 4, 16 and 64 KiB through everything that touches page bytes: the zero scan, the compute workers' windows
// and codecs (decoded by the independent decoders), and the kdump and ELF writers, whose output is read back by our
// reader and, for kdump, by libkdumpfile.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODECS, type CodecId } from '../../src/codecs/registry.js';
import type { Dump } from '../../src/model/dump.js';
import { writeElf } from '../../src/formats/elf-out/write-elf.js';
import { readKdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { writeKdump } from '../../src/formats/kdump/write-kdump.js';
import { openDump } from '../../src/formats/open-dump.js';
import { bitmapBytes, setBit, type PageSelection } from '../../src/formats/selection.js';
import { MemorySink } from '../../src/io/sink.js';
import { MemorySource } from '../../src/io/source.js';
import { poolEncoder } from '../../src/pipeline/pool-encoder.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { ZeroScanner } from '../../src/wasm/zero-scan.js';
import { localCompute } from '../../src/workers/local-compute.js';
import { WINDOW_BYTES } from '../../src/workers/page-compute.js';
import { ComputePool } from '../../src/workers/pool.js';
import { decodePages, decoderSkipReason, firstDifferentPage, python, syntheticPages } from '../helpers/decoders.js';
import { buildElfCore, prstatusNote, vmcoreinfoNote } from '../helpers/elf-builder.js';

const SIZES = [4096, 16384, 65536] as const;

let module: WebAssembly.Module;
let k: KernelExports;
beforeAll(async () => {
  module = await nodeWasmModule();
  k = await instantiateKernels(module);
});

/** `count` pages of `ps` bytes: the codec corpus's kinds (random, text, sparse, struct-like, patterns, far copies) in 4 KiB blocks, every fourth page zero. */
function mixedPages(count: number, ps: number, seed: number): Uint8Array {
  const out = syntheticPages((count * ps) / 4096, 4096, seed);
  for (let p = 0; p < count; p += 4) out.fill(0, p * ps, (p + 1) * ps);
  return out;
}

describe.each(SIZES)('%i-byte pages', (ps) => {
  it('the zero scan sees one non-zero byte anywhere in a page', () => {
    const probes = [0, 1, 127, 128, ps / 2 - 1, ps / 2, ps - 129, ps - 1];
    const pages = new Uint8Array((probes.length + 2) * ps);
    probes.forEach((at, p) => (pages[(p + 1) * ps + at] = 0x80));
    const zero = new ZeroScanner(k, ps, 3).scan(pages); // 3-page arena: several copies in
    expect(Array.from(zero)).toEqual([1, ...probes.map(() => 0), 1]);
  });

  it('a compute window holds 16 MiB of pages, and a full window encodes with every codec (independent decoders)', async () => {
    const pool = await ComputePool.create([localCompute()], module, ps);
    try {
      expect(pool.windowPages).toBe(WINDOW_BYTES / ps);
      // a window's worth of pages, so the codec batches inside the worker split it several times
      const count = Math.min(pool.windowPages, (4 << 20) / ps + 3);
      const pages = mixedPages(count, ps, ps);
      for (const codec of CODECS) {
        const r = await pool.run((api) => api.encode(pages.slice().buffer, codec, new Uint8Array(count).fill(1), true));
        const isZero = (p: number) => pages.subarray(p * ps, (p + 1) * ps).every((b) => b === 0);
        expect(Array.from(r.zero), codec).toEqual(Array.from({ length: count }, (_, p) => (isZero(p) ? 1 : 0)));
        const kept = Array.from({ length: count }, (_, p) => p).filter((p) => !isZero(p));
        const want = new Uint8Array(kept.length * ps);
        kept.forEach((p, j) => want.set(pages.subarray(p * ps, (p + 1) * ps), j * ps));
        const sizes = Uint32Array.from(kept, (p) => r.sizes[p]!);
        expect(sizes.some((w) => w >>> 31 === 0), `${codec}: some page compressed`).toBe(true);
        const decoded = independentDecode(codec, r.data, sizes, ps);
        if (decoded === undefined) continue;
        expect(firstDifferentPage(decoded, want, ps), codec).toBe(-1);
      }
    } finally {
      await pool.close();
    }
  });
});

/** The stored pages decoded by node:zlib or the python bindings; undefined (with a warning) when those are missing. */
function independentDecode(codec: CodecId, data: Uint8Array, sizes: Uint32Array, ps: number): Uint8Array | undefined {
  if (codec === 'zlib') {
    const out = new Uint8Array(sizes.length * ps);
    let at = 0;
    sizes.forEach((w, i) => {
      const n = w & 0x7fff_ffff;
      out.set(w >>> 31 ? data.subarray(at, at + n) : inflateSync(data.subarray(at, at + n)), i * ps);
      at += n;
    });
    return out;
  }
  const skip = decoderSkipReason(codec);
  if (skip) {
    console.warn(`[page-sizes] ${codec} not checked independently: ${skip}`);
    return undefined;
  }
  const r = decodePages(codec, data, sizes, ps);
  expect(r.errors, codec).toEqual([]);
  return r.decoded;
}

// ---- the writers, on a small dump of each page size ---------------------------------------------------------

/** RAM at pfns 1..40 and 64..99, a hole between; 100 pfns. Excluded: a few pfns of each range. */
const RAM = [
  { start: 1, end: 41 },
  { start: 64, end: 100 },
];
const MAX_PFN = 100;
const EXCLUDED = new Set([2, 3, 17, 65, 80, 81, 82, 99]);

interface SizedDump {
  ps: number;
  core: Uint8Array;
  /** Every pfn's bytes (zero in the hole). */
  memory: Uint8Array;
  dump: Dump;
}

async function sizedDump(ps: number): Promise<SizedDump> {
  const memory = mixedPages(MAX_PFN, ps, 7 + ps);
  for (let p = 0; p < MAX_PFN; p++) if (!RAM.some((r) => p >= r.start && p < r.end)) memory.fill(0, p * ps, (p + 1) * ps);
  const info = `OSRELEASE=6.1.0-pages\nPAGESIZE=${ps}\nNUMBER(phys_base)=0\nCRASHTIME=1700000000\n`;
  const core = buildElfCore({
    notes: [prstatusNote(), vmcoreinfoNote(info)],
    loads: RAM.map((r) => ({ paddr: r.start * ps, vaddr: 0xffff888000000000n + BigInt(r.start * ps), data: memory.slice(r.start * ps, r.end * ps) })),
  });
  return { ps, core, memory, dump: await openDump(new MemorySource(core, `pages-${ps}.vmcore`)) };
}

function selection(excludeZero: boolean): PageSelection {
  const bitmap1 = new Uint8Array(bitmapBytes(MAX_PFN));
  const bitmap2 = new Uint8Array(bitmapBytes(MAX_PFN));
  for (const r of RAM)
    for (let p = r.start; p < r.end; p++) {
      setBit(bitmap1, p);
      if (!EXCLUDED.has(p)) setBit(bitmap2, p);
    }
  return { maxPfn: MAX_PFN, bitmap1, bitmap2, excludeZero };
}
const KEPT = RAM.flatMap((r) => Array.from({ length: r.end - r.start }, (_, i) => r.start + i)).filter((p) => !EXCLUDED.has(p));

/**
 * The test dump has no init_uts_ns: name the machine (x86_64, as its ELF header says) so libkdumpfile opens the file.
 * It then takes the header's block size as the page size.
 */
function utsname(): Uint8Array {
  const u = new Uint8Array(390);
  ['Linux', 'pages', '6.1.0-pages', '#1', 'x86_64', '(none)'].forEach((f, i) => u.set(new TextEncoder().encode(f), i * 65));
  return u;
}

const hasKdumpfile = existsSync(python) && spawnSync(python, ['-c', 'import kdumpfile'], { stdio: 'ignore' }).status === 0;
if (!hasKdumpfile) console.warn(`[page-sizes] ${python} cannot import kdumpfile (apt-get install python3-libkdumpfile): libkdumpfile read-back skipped`);

// Prints, per pfn asked for, the sha256 of the page libkdumpfile reads at its machine physical address (no page
// tables are involved), or the error.
const readBack = String.raw`
import hashlib, json, sys, kdumpfile
ctx = kdumpfile.kdumpfile(sys.argv[1])
ps = ctx.attr['arch.page_size']
out = {'page_size': ps, 'pages': {}}
for pfn in json.loads(sys.argv[2]):
    try:
        out['pages'][str(pfn)] = hashlib.sha256(ctx.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * ps, ps)).hexdigest()
    except Exception as e:
        out['pages'][str(pfn)] = '%s: %s' % (type(e).__name__, e)
print(json.dumps(out))
`;

const work = mkdtempSync(join(tmpdir(), 'vmsieve-page-sizes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function sha256(b: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(b).digest('hex');
}

describe.each(SIZES.filter((s) => s > 4096))('kdump and ELF output with %i-byte pages', (ps) => {
  let d: SizedDump;
  let pool: ComputePool;
  beforeAll(async () => {
    d = await sizedDump(ps);
    pool = await ComputePool.create([localCompute()], module, ps);
  });
  afterAll(() => pool.close());

  const page = (pfn: number) => d.memory.subarray(pfn * ps, (pfn + 1) * ps);

  it.each([undefined, ...CODECS])('kdump -d 1 with codec %s: block size, bitmaps and pages read back (ours and libkdumpfile)', async (codec) => {
    const sink = new MemorySink('out.kdump');
    const encoder = codec ? poolEncoder(pool, codec, d.dump) : undefined;
    const r = await writeKdump(d.dump, selection(true), sink, { dumpLevel: 1, encoder, batchPages: 7, facts: { utsname: utsname() } });
    await sink.close();
    const bytes = sink.bytes().slice();
    expect(r.header.blockSize).toBe(ps);
    const zeroKept = KEPT.filter((p) => page(p).every((b) => b === 0));
    expect(r.zeroPages).toBe(zeroKept.length);

    const back = await readKdumpDump(new MemorySource(bytes, 'out.kdump'));
    expect(back.pageSize).toBe(ps);
    expect(back.header.bitmapBlocks).toBe(2); // 100 pfns: one block per half
    // zero pages stay in the 2nd bitmap, their descriptors pointing at the one stored zero page
    for (let p = 0; p < MAX_PFN; p++) expect(back.isDumpable(p), `pfn ${p}`).toBe(KEPT.includes(p));
    const want: Record<string, string> = {};
    for (const p of KEPT) want[p] = await sha256(page(p));
    const ours: Record<string, string> = {};
    for (const p of KEPT) ours[p] = await sha256(await back.readPage(p));
    expect(ours).toEqual(want);

    if (!hasKdumpfile) return;
    const file = join(work, `${ps}-${codec ?? 'none'}.kdump`);
    writeFileSync(file, bytes);
    const res = spawnSync(python, ['-c', readBack, file, JSON.stringify(KEPT)], { encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    const got = JSON.parse(res.stdout) as { page_size: number; pages: Record<string, string> };
    expect(got.page_size).toBe(ps);
    expect(got.pages).toEqual(want);
  });

  it('ELF -d 0: PT_LOADs in whole pages of the dump, every kept page at its physical address', async () => {
    const sink = new MemorySink('out.elf');
    await writeElf(d.dump, selection(false), sink, {});
    await sink.close();
    const back = await openDump(new MemorySource(sink.bytes().slice(), 'out.elf'));
    expect(back.pageSize).toBe(ps);
    for (const l of back.loads) {
      expect(l.physStart % ps, 'segment start').toBe(0);
      expect(l.fileSize % ps, 'segment size').toBe(0);
    }
    for (const p of KEPT) expect(await sha256(await back.readPhys(p * ps, ps)), `pfn ${p}`).toBe(await sha256(page(p)));
  });
});
