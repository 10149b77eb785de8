// The LZ-family page compressors (LZO1X-1, snappy, zstd), each checked against an independent decoder
// (test/helpers/decoders.ts: Debian's python3 bindings of liblzo2, libsnappy and libzstd).
import { beforeAll, describe, expect, it } from 'vitest';
import { LzoPageCompressor, type LzoKernelExports } from '../../src/codecs/lzo.js';
import { SnappyPageCompressor, type SnappyKernelExports } from '../../src/codecs/snappy.js';
import { ZstdPageCompressor, type ZstdKernelExports } from '../../src/codecs/zstd.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { decoderSkipReason, lowEntropyPages, realKernelPages, rng, roundTrip, syntheticPages, type PageCodec } from '../helpers/decoders.js';

type Kernels = KernelExports & LzoKernelExports & SnappyKernelExports & ZstdKernelExports;
type PageKernel = (input: number, pages: number, pageSize: number, output: number, outputCapacity: number, sizes: number) => number;

interface Case {
  codec: PageCodec;
  title: string;
  make(k: Kernels, pageSize?: number, maxPages?: number): { compress(pages: Uint8Array): { data: Uint8Array; sizes: Uint32Array } };
  kernel(k: Kernels): PageKernel;
}

const cases: Case[] = [
  {
    codec: 'lzo',
    title: 'LZO1X-1 page compressor (decoded by liblzo2 lzo1x_decompress_safe via python3-lzo)',
    make: (k, pageSize, maxPages) => new LzoPageCompressor(k, pageSize, maxPages),
    kernel: (k) => k.lzoCompressPages,
  },
  {
    codec: 'snappy',
    title: 'snappy page compressor (decoded by libsnappy snappy::RawUncompress via python3-snappy)',
    make: (k, pageSize, maxPages) => new SnappyPageCompressor(k, pageSize, maxPages),
    kernel: (k) => k.snappyCompressPages,
  },
  {
    codec: 'zstd',
    title: 'zstd page compressor (decoded by libzstd via python3-zstandard)',
    make: (k, pageSize, maxPages) => new ZstdPageCompressor(k, pageSize, maxPages),
    kernel: (k) => k.zstdCompressPages,
  },
];

const skips = new Map(cases.map((c) => [c.codec, decoderSkipReason(c.codec)]));
for (const [codec, skip] of skips) if (skip) console.warn(`[codec-${codec}] skipped: ${skip}`);

const real = realKernelPages(4000);

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
      const res = roundTrip(codec, make(k), pages, 4096);
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

    it.skipIf(!real)(`round-trips real kernel pages (${real?.source ?? 'no cached vmcore in .cache/fixtures'})`, () => {
      const res = roundTrip(codec, make(k), real!.pages, 4096);
      expect(res.abiProblem).toBe('');
      expect(res.errors).toEqual([]);
      expect(res.firstMismatch).toBe(-1);
    });
  });
});
