// The TypeScript zlib page decoder (the kdump reader's default for makedumpfile -c pages where node:zlib is absent,
// i.e. in a browser): node:zlib's streams at every level and strategy, and our AssemblyScript encoder's, decode to
// the original pages; stored, fixed and dynamic blocks all appear; damaged streams throw instead of returning bytes.
import { deflateSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { zlibDecompress } from '../../src/codecs/zlib-decode.js';
import { createCompressor } from '../../src/codecs/registry.js';
import { instantiateKernels } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { lowEntropyPages, realKernelPages, rng, syntheticPages } from '../helpers/decoders.js';

const PAGE = 4096;

function pagesOf(bytes: Uint8Array, pageSize = PAGE): Uint8Array[] {
  return Array.from({ length: bytes.length / pageSize }, (_, i) => bytes.subarray(i * pageSize, (i + 1) * pageSize));
}

const samples = [...pagesOf(syntheticPages(64)), ...pagesOf(lowEntropyPages(16)), ...pagesOf(realKernelPages(64)?.pages ?? new Uint8Array())];

describe('zlibDecompress', () => {
  it('decodes node:zlib streams of every level and strategy (stored, fixed and dynamic blocks)', () => {
    const options = [
      ...[0, 1, 6, 9].map((level) => ({ level })),
      { level: 6, strategy: constants.Z_FIXED },
      { level: 6, strategy: constants.Z_HUFFMAN_ONLY },
      { level: 6, strategy: constants.Z_RLE },
      { level: 9, memLevel: 1, windowBits: 9 },
    ];
    for (const o of options)
      samples.forEach((page, i) => {
        const stream = deflateSync(page, o);
        expect(Buffer.from(zlibDecompress(stream, PAGE)).equals(Buffer.from(page)), `page ${i} ${JSON.stringify(o)}`).toBe(true);
      });
  });

  it('decodes pages of every size up to 64 KiB, and streams shorter than the capacity to exactly their bytes', () => {
    const r = rng(5);
    for (const size of [1, 100, 4096, 16384, 65536]) {
      const page = Uint8Array.from({ length: size }, (_, i) => (i % 7 === 0 ? r() & 0xff : i & 0x1f));
      expect(Buffer.from(zlibDecompress(deflateSync(page), 65536)).equals(Buffer.from(page))).toBe(true);
    }
  });

  it("decodes the AssemblyScript encoder's -c pages", async () => {
    const k = await instantiateKernels(await nodeWasmModule());
    const pages = syntheticPages(32);
    const { data, sizes } = createCompressor(k, 'zlib', PAGE).compress(pages);
    let at = 0;
    sizes.forEach((w, i) => {
      const n = w & 0x7fff_ffff;
      const stored = data.subarray(at, (at += n));
      const page = w >>> 31 ? stored : zlibDecompress(stored, PAGE);
      expect(Buffer.from(page).equals(Buffer.from(pages.subarray(i * PAGE, (i + 1) * PAGE))), `page ${i}`).toBe(true);
    });
  });

  it('throws on damage: cut streams, flipped bytes, a wrong checksum, output past the capacity, a bad header', () => {
    const page = samples[3]!;
    const good = deflateSync(page, { level: 6 });
    for (let cut = 0; cut < good.length; cut += 7) expect(() => zlibDecompress(good.subarray(0, cut), PAGE), `cut at ${cut}`).toThrow(/zlib/);
    const r = rng(11);
    let thrown = 0;
    for (let i = 0; i < 300; i++) {
      const bad = Uint8Array.from(good);
      bad[2 + (r() % (bad.length - 2))] ^= 1 << (r() & 7);
      try {
        const out = zlibDecompress(bad, PAGE);
        // A flip that leaves the stream valid must decode to the same page (the Adler-32 guards the rest).
        expect(Buffer.from(out).equals(Buffer.from(page))).toBe(true);
      } catch (e) {
        expect((e as Error).message).toMatch(/zlib/);
        thrown++;
      }
    }
    expect(thrown).toBeGreaterThan(250);
    const sum = Uint8Array.from(good);
    sum[sum.length - 1] ^= 1;
    expect(() => zlibDecompress(sum, PAGE)).toThrow(/Adler-32/);
    expect(() => zlibDecompress(good, PAGE - 1)).toThrow(/exceed 4095 bytes/);
    expect(() => zlibDecompress(Uint8Array.of(0x79, 0x9c, 0, 0, 0, 0), PAGE)).toThrow(/header/);
    expect(() => zlibDecompress(Uint8Array.of(0x78, 0x9d, 0, 0, 0, 0), PAGE)).toThrow(/check bits/);
  });
});
