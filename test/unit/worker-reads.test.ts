import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODECS } from '../../src/codecs/registry.js';
import { readElfDump } from '../../src/formats/elf/read-elf.js';
import type { Dump } from '../../src/model/dump.js';
import { pageExtents } from '../../src/model/page-extents.js';
import { MAX_MERGED_READ, readExtents, type WorkerReader } from '../../src/io/worker-reader.js';
import { MemorySource } from '../../src/io/source.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { spawnNodeCompute } from '../../src/workers/node-compute.js';
import { ComputePool } from '../../src/workers/pool.js';
import { computeService } from '../../src/workers/compute-service.js';
import { buildElfCore, vmcoreinfoNote } from '../helpers/elf-builder.js';

const PAGE = 4096;

/** Page p of segment s: text, zeros or pseudo-random bytes, all different. */
function pageBytes(s: number, p: number): Uint8Array {
  const page = new Uint8Array(PAGE);
  if ((s + p) % 3 === 0) return page;
  let x = (s * 7919 + p * 104729 + 1) >>> 0;
  for (let i = 0; i < PAGE; i++) page[i] = (p + s) % 3 === 1 ? 0x41 + ((i + p) % 26) : (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return page;
}

function segment(s: number, pages: number): Uint8Array {
  const out = new Uint8Array(pages * PAGE);
  for (let p = 0; p < pages; p++) out.set(pageBytes(s, p), p * PAGE);
  return out;
}

/**
 * Three PT_LOADs: [0, 8) pages, [16, 24) with only 5 pages in the file (the rest reads as zero), and [20, 40) listed
 * after it (so pages 20..23 come from the second segment, as makedumpfile picks the first listed).
 */
const core = buildElfCore({
  notes: [vmcoreinfoNote('PAGESIZE=4096\n')],
  loads: [
    { paddr: 0, data: segment(0, 8) },
    { paddr: 16 * PAGE, data: segment(1, 5), memsz: 8 * PAGE },
    { paddr: 20 * PAGE, data: segment(2, 20) },
  ],
  loadAlign: PAGE,
});

describe('page extents', () => {
  it('follow readPhys: first listed segment wins, bytes past p_filesz and outside every segment read as zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmsieve-extents-'));
    const path = join(dir, 'core');
    writeFileSync(path, core);
    const source = await NodeFileSource.open(path);
    try {
      const dump = await readElfDump(source);
      const runs = [[1, 3], [6, 10], [17, 26], [39, 40]] as const;
      const pe = pageExtents(dump, runs)!;
      expect(pe.pages).toBe(2 + 4 + 9 + 1);
      const fromExtents = new Uint8Array(pe.pages * PAGE);
      let at = 0;
      for (let i = 0; i < pe.extents.length; i += 2) {
        const [offset, length] = [pe.extents[i]!, pe.extents[i + 1]!];
        if (offset !== -1) fromExtents.set(core.subarray(offset, offset + length), at);
        at += length;
      }
      const expected = new Uint8Array(pe.pages * PAGE);
      let page = 0;
      for (const [s, e] of runs)
        for (let pfn = s; pfn < e; pfn++, page++) {
          const inDump = dump.loads.some((l) => pfn * PAGE >= l.physStart && pfn * PAGE < l.physEnd);
          if (inDump) expected.set(await dump.readPhys(pfn * PAGE, PAGE), page * PAGE);
        }
      expect(Buffer.from(fromExtents).equals(Buffer.from(expected))).toBe(true);
      const pageOf = (index: number) => Buffer.from(fromExtents.subarray(index * PAGE, (index + 1) * PAGE));
      // Result index of a pfn: runs [1,3) [6,10) [17,26) [39,40) back to back.
      const indexOf = (pfn: number) => (pfn < 3 ? pfn - 1 : pfn < 10 ? 2 + pfn - 6 : pfn < 26 ? 6 + pfn - 17 : 15);
      expect(pageOf(indexOf(8)).equals(Buffer.alloc(PAGE))).toBe(true); // a hole
      expect(pageOf(indexOf(20)).equals(Buffer.from(pageBytes(1, 4)))).toBe(true); // the second segment's last page in the file
      expect(pageOf(indexOf(21)).equals(Buffer.alloc(PAGE))).toBe(true); // past its p_filesz, though the third segment has data there
      expect(pageOf(indexOf(25)).equals(Buffer.from(pageBytes(2, 5)))).toBe(true); // the third segment, once the second has ended
    } finally {
      await source.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are not offered for a source workers cannot reach', async () => {
    const dump = await readElfDump(new MemorySource(core));
    expect(pageExtents(dump, [[0, 1]])).toBeUndefined();
  });
});

describe('compute workers reading the dump themselves', () => {
  let dir: string;
  let source: NodeFileSource;
  let dump: Dump;
  let pool: ComputePool;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vmsieve-reads-'));
    writeFileSync(join(dir, 'core'), core);
    source = await NodeFileSource.open(join(dir, 'core'));
    dump = await readElfDump(source);
    pool = await ComputePool.create([spawnNodeCompute(), spawnNodeCompute()], await nodeWasmModule(), PAGE);
  });
  afterAll(async () => {
    await pool?.close();
    await source?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const runs = [[0, 8], [16, 40]] as const;
  const sent = async () => {
    const parts = await Promise.all(runs.map(([s, e]) => dump.readPhys(s * PAGE, (e - s) * PAGE)));
    return Buffer.concat(parts).buffer.slice(0) as ArrayBuffer;
  };

  it('encode exactly what they encode from pages sent to them', async () => {
    const mask = new Uint8Array(32).fill(1);
    for (const codec of [...CODECS, 'none'] as const) {
      const direct = await pool.run((api) => api.encode(pageExtents(dump, runs)!, codec, mask, true));
      const viaBytes = await pool.run(async (api) => api.encode(await sent(), codec, mask, true));
      expect(Array.from(direct.zero)).toEqual(Array.from(viaBytes.zero));
      expect(Array.from(direct.sizes)).toEqual(Array.from(viaBytes.sizes));
      expect(Buffer.from(direct.data).equals(Buffer.from(viaBytes.data))).toBe(true);
      expect(direct.zero.filter((z) => z).length).toBeGreaterThan(8);
    }
  });

  it('measure a sample: only the sampled non-zero pages get sizes', async () => {
    const sample = Uint8Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const m = await pool.run((api) => api.measure(pageExtents(dump, runs)!, ['lzo'], sample));
    m.sizes.lzo!.forEach((w, i) => expect(w !== 0).toBe(sample[i] === 1 && m.zero[i] === 0));
  });

  it('report a file that ends early as truncated', async () => {
    const pe = pageExtents(dump, [[0, 1]])!;
    const beyond = { ...pe, extents: Float64Array.of(core.length - 100, PAGE) };
    await expect(pool.run((api) => api.scanZero(beyond))).rejects.toMatchObject({ code: 'E_TRUNCATED' });
  });
});

describe('reading extents', () => {
  const file = Uint8Array.from({ length: 1 << 16 }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
  const ref = { kind: 'fd', fd: -1, name: 'file', size: file.length } as const;
  const extents = Float64Array.of(100, 50, 200, 10, -1, 30, 5000, 40, 5040, 8, 60000, 100);
  const expected = Buffer.concat([file.subarray(100, 150), file.subarray(200, 210), Buffer.alloc(30), file.subarray(5000, 5048), file.subarray(60000, 60100)]);

  /** A reader over `file` that records each call's offset and length, and answers after `delay(call)` ms when given. */
  const recordingReader = (mergeGap: number, parallelReads = 1, delay?: (call: number) => number) => {
    const calls: Array<[offset: number, length: number]> = [];
    let inFlight = 0;
    let most = 0;
    const answer = async <T>(offset: number, length: number, put: (bytes: Uint8Array) => T): Promise<T> => {
      const call = calls.push([offset, length]) - 1;
      if (offset + length > file.length) throw new Error(`read beyond the file at ${offset}`);
      most = Math.max(most, ++inFlight);
      try {
        if (delay) await new Promise((resolve) => setTimeout(resolve, delay(call)));
        return put(file.slice(offset, offset + length));
      } finally {
        inFlight--;
      }
    };
    const reader: WorkerReader = {
      readInto: (_ref, offset, destination) => answer(offset, destination().length, (bytes) => void destination().set(bytes)),
      read: (_ref, offset, length) => answer(offset, length, (bytes) => bytes),
      mergeGap,
      parallelReads,
    };
    return { reader, calls, most: () => most };
  };

  for (const mergeGap of [0, 1024, 1 << 20]) {
    it(`gives the same bytes whatever the merge gap (${mergeGap}), with fewer reads for a larger one`, async () => {
      const { reader, calls } = recordingReader(mergeGap);
      const dest = new Uint8Array(expected.length);
      await readExtents(reader, { ref, extents }, () => dest);
      expect(Buffer.from(dest).equals(expected)).toBe(true);
      expect(calls.length).toBe(mergeGap === 0 ? 4 : mergeGap === 1024 ? 3 : 2);
    });
  }

  it('keeps at most parallelReads reads in flight, and places each where it belongs whatever order they finish in', async () => {
    const { reader, calls, most } = recordingReader(0, 3, (call) => [9, 1, 5, 2][call % 4]!);
    const dest = new Uint8Array(expected.length);
    await readExtents(reader, { ref, extents }, () => dest);
    expect(Buffer.from(dest).equals(expected)).toBe(true);
    expect(calls.length).toBe(4);
    expect(most()).toBe(3);
  });

  it(`never reads across gaps over ${MAX_MERGED_READ} bytes at once`, async () => {
    // One page every 512 KiB: every gap is under the merge gap, but one read of them all would span 64 MiB.
    const sparse = new Float64Array(256);
    for (let i = 0; i < 128; i++) [sparse[2 * i], sparse[2 * i + 1]] = [i * (512 << 10), 4096];
    const big = { ...ref, size: 128 * (512 << 10) };
    const reads: number[] = [];
    const reader: WorkerReader = {
      readInto: (_ref, _offset, destination) => void reads.push(destination().length),
      read: (_ref, _offset, length) => (reads.push(length), new Uint8Array(length)),
      mergeGap: 1 << 20,
      parallelReads: 1,
    };
    const dest = new Uint8Array(128 * 4096);
    await readExtents(reader, { ref: big, extents: sparse }, () => dest);
    expect(Math.max(...reads)).toBeLessThanOrEqual(MAX_MERGED_READ);
    expect(reads.length).toBe(Math.ceil((128 * (512 << 10)) / MAX_MERGED_READ));
  });

  it('fails only once every read in flight has settled: none lands in the window after it is handed back', async () => {
    let settled = 0;
    const readInto: WorkerReader['readInto'] = async (_ref, offset, destination) => {
      await new Promise((resolve) => setTimeout(resolve, offset === 100 ? 1 : 20));
      settled++;
      if (offset === 100) throw new Error('disk gone');
      destination().fill(1);
    };
    const reader: WorkerReader = {
      readInto,
      read: async (_ref, offset, length) => {
        const out = new Uint8Array(length);
        await readInto(_ref, offset, () => out);
        return out;
      },
      mergeGap: 0,
      parallelReads: 4,
    };
    const dest = new Uint8Array(expected.length);
    await expect(readExtents(reader, { ref, extents }, () => dest)).rejects.toThrow('disk gone');
    expect(settled).toBe(4);
  });

  it('refuses extents that do not fill the window exactly', async () => {
    const { reader } = recordingReader(0);
    const tooBig = new Uint8Array(expected.length + 1);
    await expect(readExtents(reader, { ref, extents }, () => tooBig)).rejects.toThrow(/cover/);
  });
});

describe('a compute worker holding two tasks', () => {
  it('reads the next task while working on one, even when wasm memory grows meanwhile', async () => {
    const dump = await readElfDump(new MemorySource(core));
    const runs = [[0, 8], [16, 40]] as const;
    const ref = { kind: 'blob', blob: new Blob([]), name: 'core' } as const;
    const extents = { ...pageExtents({ ...dump, source: { ...dump.source, ref: () => ref } } as Dump, runs)!, ref };
    const slowReader: WorkerReader = {
      async readInto(_ref, offset, dest) {
        const length = dest().length;
        await new Promise((resolve) => setTimeout(resolve, 5));
        dest().set(core.subarray(offset, offset + length));
      },
      read: (_ref, offset, length) => core.slice(offset, offset + length),
      mergeGap: 0,
      parallelReads: 1,
    };
    const module = await nodeWasmModule();
    const mask = new Uint8Array(32).fill(1);
    const both = computeService(slowReader, undefined, { slots: 2 });
    await both.init(module, PAGE);
    // Each task's first use of a codec allocates its tables (zlib's grow memory) while the other task is reading.
    const [zlib, zstd] = await Promise.all([both.encode(extents, 'zlib', mask, true), both.encode(extents, 'zstd', mask, true)]);
    const one = computeService(slowReader);
    await one.init(module, PAGE);
    for (const [got, codec] of [[zlib, 'zlib'], [zstd, 'zstd']] as const) {
      const want = await one.encode(extents, codec, mask, true);
      expect(Array.from(got.sizes)).toEqual(Array.from(want.sizes));
      expect(Buffer.from(got.data).equals(Buffer.from(want.data))).toBe(true);
    }
  });
});

describe('measuring a sample', () => {
  it('gives page i to the first sample[i] codecs only, with the sizes those codecs give it on their own', async () => {
    const dump = await readElfDump(new MemorySource(core));
    const pages = async () => Buffer.concat(await Promise.all([[0, 8], [16, 40]].map(([s, e]) => dump.readPhys(s * PAGE, (e - s) * PAGE)))).buffer.slice(0) as ArrayBuffer;
    const service = computeService();
    await service.init(await nodeWasmModule(), PAGE);
    const order = ['lzo', 'snappy', 'zlib', 'zstd'] as const;
    const sample = Uint8Array.from({ length: 32 }, (_, i) => [0, 2, 4, 1, 3][i % 5]!);
    const sampled = await service.measure(await pages(), order, sample);
    const full = await service.measure(await pages(), order);
    order.forEach((codec, j) =>
      sampled.sizes[codec]!.forEach((w, i) => {
        const measured = sample[i]! > j && !sampled.zero[i];
        expect([codec, i, w]).toEqual([codec, i, measured ? full.sizes[codec]![i] : 0]);
      }),
    );
  });
});
