// The LZ-family page compressors (LZO1X-1, snappy, zstd), each checked against an independent decoder
// (test/helpers/decoders.ts: Debian's python3 bindings of liblzo2, libsnappy and libzstd).
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressor } from '../../src/codecs/registry.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { decoderSkipReason, lowEntropyPages, realKernelPages, rng, roundTrip, syntheticPages, type PageCodec } from '../helpers/decoders.js';

type Kernels = KernelExports;
type PageKernel = (input: number, pages: number, pageSize: number, output: number, outputCapacity: number, sizes: number) => number;

interface Case {
  codec: PageCodec;
  title: string;
  make(k: Kernels, pageSize: number, maxPages?: number): { compress(pages: Uint8Array): { data: Uint8Array; sizes: Uint32Array } };
  kernel(k: Kernels): PageKernel;
}

const cases: Case[] = [
  {
    codec: 'lzo',
    title: 'LZO1X-1 page compressor (decoded by liblzo2 lzo1x_decompress_safe via python3-lzo)',
    make: (k, pageSize, maxPages) => createCompressor(k, 'lzo', pageSize, maxPages),
    kernel: (k) => k.lzoCompressPages,
  },
  {
    codec: 'snappy',
    title: 'snappy page compressor (decoded by libsnappy snappy::RawUncompress via python3-snappy)',
    make: (k, pageSize, maxPages) => createCompressor(k, 'snappy', pageSize, maxPages),
    kernel: (k) => k.snappyCompressPages,
  },
  {
    codec: 'zstd',
    title: 'zstd page compressor (decoded by libzstd via python3-zstandard)',
    make: (k, pageSize, maxPages) => createCompressor(k, 'zstd', pageSize, maxPages),
    kernel: (k) => k.zstdCompressPages,
  },
];

const skips = new Map(cases.map((c) => [c.codec, decoderSkipReason(c.codec)]));
for (const [codec, skip] of skips) if (skip) console.warn(`[codec-${codec}] skipped: ${skip}`);

const real = realKernelPages(4000);

/**
 * Pages built from literal runs and matches at the instruction boundaries of the formats: literal
 * counts around 3/4, 16/17, 18/19, 60, 238/239 (LZO state bits, short-run fast paths, length bytes,
 * snappy tags), match lengths around 8/9, 11/12, 33/34, 64..68 (LZO M2/M3, snappy copy forms and
 * splits), distances near, past 2048 and, in pages over 16 KiB, past 16384 (the LZO M3 limit).
 */
function boundaryPages(pageSize: number, seed: number): Uint8Array {
  const lits = [0, 1, 2, 3, 4, 5, 15, 16, 17, 18, 19, 20, 60, 61, 238, 239, 300];
  const lens = [4, 5, 8, 9, 11, 12, 33, 34, 64, 65, 67, 68, 300];
  const dists = pageSize > 16384 ? [1, 2049, 16385] : [1, 2049];
  const layouts: Array<[number, number, number]> = [];
  for (const L of lits) for (const M of lens) for (const D of dists) layouts.push([L, M, D]);
  // all layouts for small pages, a spread of them for large ones
  const chosen = pageSize > 16384 ? layouts.filter((_, i) => i % 27 === 0) : layouts;
  return layoutPages(chosen, pageSize, seed);
}

/** One page per [literal run, match length, distance class] layout: 64 random bytes, then the layout repeated. */
function layoutPages(layouts: Array<[number, number, number]>, pageSize: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(layouts.length * pageSize);
  layouts.forEach(([L, M, D], p) => {
    const page = out.subarray(p * pageSize, (p + 1) * pageSize);
    let i = 0;
    for (; i < 64; i++) page[i] = r() & 255;
    while (i < pageSize) {
      for (let j = 0; j < L && i < pageSize; j++) page[i++] = r() & 255;
      const d = Math.min(i, D === 1 ? 1 + (r() % 64) : D + (r() % 512));
      for (let j = 0; j < M && i < pageSize; j++, i++) page[i] = page[i - d]!;
    }
  });
  return out;
}

/** Pages that repeat their predecessor with a few changes: an earlier page's positions in a shared table would match. */
function echoPages(count: number, pageSize: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = syntheticPages(count, pageSize, seed);
  for (let p = 1; p < count; p++) {
    if (p % 3 === 0) continue;
    out.copyWithin(p * pageSize, (p - 1) * pageSize, p * pageSize);
    for (let k = 0; k < 16; k++) out[p * pageSize + (r() % pageSize)] = r() & 255;
  }
  return out;
}

describe.each(cases)('$codec', ({ codec, title, make, kernel }) => {
  describe.skipIf(!!skips.get(codec))(title, () => {
    let k: Kernels;
    beforeAll(async () => {
      k = (await instantiateKernels(await nodeWasmModule())) as Kernels;
    });

    it('round-trips every kind of synthetic page, raw only when not smaller', () => {
      const c = make(k, 4096, 64); // small batches: several wasm calls
      const pages = syntheticPages(900);
      const r = roundTrip(codec, c, pages, 4096);
      expect(r.abiProblem).toBe('');
      expect(r.errors).toEqual([]);
      expect(r.firstMismatch).toBe(-1);
      // the 100 random pages must be raw (and nothing else but the near-random kind may be)
      expect(r.rawPages).toBeGreaterThanOrEqual(100);
      expect(r.rawPages).toBeLessThanOrEqual(200);
      expect(r.stored).toBeLessThan(pages.length * 0.45);
    });

    it('is deterministic and independent of batch boundaries', () => {
      const pages = syntheticPages(90, 4096, 3);
      const a = make(k, 4096, 1024).compress(pages);
      const b = make(k, 4096, 7).compress(pages);
      const again = make(k, 4096, 1024).compress(pages);
      expect(Buffer.from(b.sizes.buffer).equals(Buffer.from(a.sizes.buffer))).toBe(true);
      expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true);
      expect(Buffer.from(again.data).equals(Buffer.from(a.data))).toBe(true);
    });

    it('round-trips random-length literal/match mixes (property test)', () => {
      const r = rng(99);
      const count = 400;
      const pages = new Uint8Array(count * 4096);
      for (let p = 0; p < count; p++) {
        const page = pages.subarray(p * 4096, (p + 1) * 4096);
        let i = 0;
        while (i < 4096) {
          const lit = r() % [4, 20, 300, 1200][p % 4]!;
          for (let j = 0; j < lit && i < 4096; j++) page[i++] = r() & 255;
          if (i === 0) continue;
          const d = 1 + (r() % Math.min(i, 4096));
          const len = 3 + (r() % [10, 40, 600, 3000][(p >> 2) % 4]!);
          for (let j = 0; j < len && i < 4096; j++, i++) page[i] = page[i - d]!;
        }
      }
      const res = roundTrip(codec, make(k, 4096), pages, 4096);
      expect(res.abiProblem).toBe('');
      expect(res.errors).toEqual([]);
      expect(res.firstMismatch).toBe(-1);
    });

    it('round-trips low-entropy pages and other page sizes', () => {
      for (const pageSize of [4096, 16384, 65536]) {
        const pages = new Uint8Array(24 * pageSize);
        pages.set(syntheticPages((16 * pageSize) / 4096, 4096, pageSize));
        pages.set(lowEntropyPages((8 * pageSize) / 4096), 16 * pageSize);
        const res = roundTrip(codec, make(k, pageSize, 16), pages, pageSize);
        expect(res.abiProblem, `page size ${pageSize}`).toBe('');
        expect(res.errors, `page size ${pageSize}`).toEqual([]);
        expect(res.firstMismatch, `page size ${pageSize}`).toBe(-1);
      }
    });

    it('keeps to the ABI: raw pages flagged in bit 31, stops cleanly at the output capacity', () => {
      const compressPages = kernel(k);
      const pageSize = 4096;
      const pages = syntheticPages(9, pageSize, 5); // page 0 is random, so stored raw
      const input = k.arenaAlloc(pages.length) >>> 0;
      const output = k.arenaAlloc(pages.length) >>> 0;
      const sizes = k.arenaAlloc(9 * 4) >>> 0;
      new Uint8Array(k.memory.buffer, input, pages.length).set(pages);
      const total = compressPages(input, 9, pageSize, output, pages.length, sizes) >>> 0;
      const words = Array.from(new Uint32Array(k.memory.buffer, sizes, 9));
      expect(words[0]).toBe((0x8000_0000 | pageSize) >>> 0);
      expect(Buffer.from(k.memory.buffer, output, pageSize).equals(Buffer.from(pages.subarray(0, pageSize)))).toBe(true);
      expect(words.reduce((a, w) => a + (w & 0x7fff_ffff), 0)).toBe(total);
      // room for the first three pages only: the rest get size 0 and nothing is written past the room
      const room = words.slice(0, 3).reduce((a, w) => a + (w & 0x7fff_ffff), 0);
      new Uint8Array(k.memory.buffer, output, pages.length).fill(0xee);
      const partial = compressPages(input, 9, pageSize, output, room + 1, sizes) >>> 0;
      const after = Array.from(new Uint32Array(k.memory.buffer, sizes, 9));
      expect(partial).toBe(room);
      expect(after.slice(0, 3)).toEqual(words.slice(0, 3));
      expect(after.slice(3)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(new Uint8Array(k.memory.buffer, output + room, 64).every((b) => b === 0xee)).toBe(true);
    });

    it('round-trips literal runs and matches at the instruction boundaries', () => {
      for (const pageSize of [4096, 65536]) {
        const pages = boundaryPages(pageSize, 11);
        const res = roundTrip(codec, make(k, pageSize, 32), pages, pageSize);
        expect(res.abiProblem, `page size ${pageSize}`).toBe('');
        expect(res.errors, `page size ${pageSize}`).toEqual([]);
        expect(res.firstMismatch, `page size ${pageSize}`).toBe(-1);
      }
    });

    it('round-trips pages over 64 KiB (kernel called directly: the facade stops at 64 KiB)', () => {
      const compressPages = kernel(k);
      const pageSize = 131072;
      const pages = new Uint8Array(4 * pageSize);
      pages.set(syntheticPages(32, 4096, 13)); // text, patterns, far copies across the 4 KiB blocks
      pages.set(boundaryPages(65536, 17).subarray(0, pageSize), 2 * pageSize);
      // a random half-page, then the same again: every match is 65536 bytes back (too far for snappy)
      const r = rng(19);
      for (let i = 3 * pageSize; i < 3 * pageSize + pageSize / 2; i++) pages[i] = r() & 255;
      pages.copyWithin(3 * pageSize + pageSize / 2, 3 * pageSize, 3 * pageSize + pageSize / 2);
      const direct = {
        compress(input: Uint8Array) {
          const count = input.length / pageSize;
          const at = k.arenaAlloc(input.length) >>> 0;
          const output = k.arenaAlloc(input.length) >>> 0;
          const sizes = k.arenaAlloc(count * 4) >>> 0;
          new Uint8Array(k.memory.buffer, at, input.length).set(input);
          const total = compressPages(at, count, pageSize, output, input.length, sizes) >>> 0;
          return { data: new Uint8Array(k.memory.buffer, output, total).slice(), sizes: new Uint32Array(k.memory.buffer, sizes, count).slice() };
        },
      };
      const res = roundTrip(codec, direct, pages, pageSize);
      expect(res.abiProblem).toBe('');
      expect(res.errors).toEqual([]);
      expect(res.firstMismatch).toBe(-1);
    });

    it('stores each page as it would store it alone, whatever came before it in the batch or call', () => {
      for (const pageSize of [4096, 16384, 65536]) {
        const count = pageSize === 4096 ? 40 : 12; // more than one hash-table epoch (15 pages of 4 KiB)
        const pages = echoPages(count, pageSize, 21);
        const c = make(k, pageSize, count);
        const batch = c.compress(pages);
        let at = 0;
        for (let p = 0; p < count; p++) {
          const alone = c.compress(pages.subarray(p * pageSize, (p + 1) * pageSize));
          const n = batch.sizes[p]! & 0x7fff_ffff;
          expect(alone.sizes[0], `page size ${pageSize}, page ${p}`).toBe(batch.sizes[p]);
          expect(Buffer.from(alone.data).equals(Buffer.from(batch.data.subarray(at, at + n))), `page size ${pageSize}, page ${p}`).toBe(true);
          at += n;
        }
      }
    });

    it('writes nothing past outputCapacity, whatever the room (in-place compression included)', () => {
      const compressPages = kernel(k);
      const pageSize = 4096;
      // streams about as long as the page, which give up close to the no-gain limit, plus ordinary pages
      const nearlyRaw: Array<[number, number, number]> = [
        [4, 4, 2049], [16, 4, 2049], [17, 5, 1], [18, 5, 1], [19, 5, 1], [20, 5, 2049],
        [60, 5, 1], [100, 9, 1], [100, 9, 2049], [238, 9, 2049], [239, 9, 2049], [300, 9, 1],
      ];
      const pages = new Uint8Array((nearlyRaw.length + 4) * pageSize);
      pages.set(layoutPages(nearlyRaw, pageSize, 3));
      pages.set(syntheticPages(4, pageSize, 9), nearlyRaw.length * pageSize);
      const input = k.arenaAlloc(pageSize) >>> 0;
      const output = k.arenaAlloc(3 * pageSize) >>> 0;
      const sizes = k.arenaAlloc(4) >>> 0;
      const mem = () => new Uint8Array(k.memory.buffer);
      for (let p = 0; p < pages.length / pageSize; p++) {
        mem().set(pages.subarray(p * pageSize, (p + 1) * pageSize), input);
        const full = compressPages(input, 1, pageSize, output, 2 * pageSize, sizes) >>> 0;
        const expected = mem().slice(output, output + full);
        for (let room = full - 1; room <= pageSize + pageSize / 8 + 64; room++) {
          mem().fill(0xee, output, output + 3 * pageSize);
          const total = compressPages(input, 1, pageSize, output, room, sizes) >>> 0;
          const m = mem();
          let last = output + 3 * pageSize - 1;
          while (last >= output && m[last] === 0xee) last--;
          expect(last + 1 - output, `page ${p}, room ${room}`).toBeLessThanOrEqual(room);
          if (room < full) expect(total, `page ${p}, room ${room}`).toBe(0);
          else expect(Buffer.from(m.subarray(output, output + total)).equals(Buffer.from(expected)), `page ${p}, room ${room}`).toBe(true);
        }
      }
    });

    it.skipIf(!real)(`round-trips real kernel pages (${real?.source ?? 'no cached vmcore in .cache/fixtures'})`, () => {
      const res = roundTrip(codec, make(k, 4096), real!.pages, 4096);
      expect(res.abiProblem).toBe('');
      expect(res.errors).toEqual([]);
      expect(res.firstMismatch).toBe(-1);
    });
  });
});
