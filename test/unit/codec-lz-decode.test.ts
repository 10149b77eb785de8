// The TypeScript LZO1X and snappy page decoders (the kdump reader's defaults for makedumpfile -l and -p
// pages): streams from our AssemblyScript encoders and from liblzo2 / libsnappy (Debian's python3
// bindings) decode to the original pages; corrupt streams throw and terminate. Last, the kdump reader
// decodes -l, -p and -z pages by default (the zstd decoder's own tests: codec-zstd-decode.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { lzoDecompress } from '../../src/codecs/lzo-decode.js';
import { createCompressor, type CompressedPages } from '../../src/codecs/registry.js';
import { snappyDecompress } from '../../src/codecs/snappy-decode.js';
import { readKdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { writeKdump } from '../../src/formats/kdump/write-kdump.js';
import { openDump } from '../../src/formats/open-dump.js';
import { bitmapBytes, setBit } from '../../src/formats/selection.js';
import { concatBytes } from '../../src/io/concat.js';
import { MemorySink } from '../../src/io/sink.js';
import { MemorySource } from '../../src/io/source.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { compressorEncoder } from '../helpers/in-thread-encoders.js';
import { decoderSkipReason, firstDifferentPage, lowEntropyPages, python, pythonCompressPages, realKernelPages, rng, syntheticPages } from '../helpers/decoders.js';
import { buildElfCore, prstatusNote, vmcoreinfoNote } from '../helpers/elf-builder.js';

type Decode = (data: Uint8Array, capacity: number) => Uint8Array;

interface Case {
  codec: 'lzo' | 'snappy';
  decode: Decode;
  /** Python expressions compressing `b` into one raw stream, by the reference library. */
  reference: Record<string, string>;
}

const cases: Case[] = [
  { codec: 'lzo', decode: lzoDecompress, reference: { 'LZO1X-1': 'lzo.compress(b, 1, False)', 'LZO1X-999': 'lzo.compress(b, 9, False)' } },
  { codec: 'snappy', decode: snappyDecompress, reference: { 'snappy::RawCompress': 'snappy.compress(b)' } },
];

/** Decodes every stored page (raw ones are copied: the reader does that, not the decoder) and returns them back to back. */
function decodeAll(decode: Decode, { data, sizes }: CompressedPages, pageSize: number): { pages: Uint8Array; compressed: number } {
  const pages = new Uint8Array(sizes.length * pageSize);
  let at = 0;
  let compressed = 0;
  sizes.forEach((w, i) => {
    const n = w & 0x7fff_ffff;
    const stored = data.subarray(at, at + n);
    at += n;
    const page = w >>> 31 ? stored : (compressed++, decode(stored, pageSize));
    expect(page.length, `page ${i}`).toBe(pageSize);
    pages.set(page, i * pageSize);
  });
  expect(at).toBe(data.length);
  return { pages, compressed };
}

/**
 * Pages of long literal runs and long matches: a random head, then copies of it from near, 2 KiB+,
 * 16 KiB+ and (64 KiB pages) 48 KiB back, lengths past the one-byte length fields; one all-zero page.
 */
function longRunPages(pageSize: number, seed: number): Uint8Array {
  const r = rng(seed);
  const count = 6;
  const out = new Uint8Array(count * pageSize);
  for (let p = 0; p < count - 1; p++) {
    const page = out.subarray(p * pageSize, (p + 1) * pageSize);
    const head = [300, 1500, 2100, pageSize / 2, pageSize / 4][p]!;
    for (let i = 0; i < head; i++) page[i] = r() & 255;
    let i = head;
    while (i < pageSize) {
      const far = [1, 2049, 16385, 49000][r() % 4]!;
      const d = Math.min(i, far + (r() % 64));
      const len = Math.min(pageSize - i, 200 + (r() % 2000));
      for (let j = 0; j < len; j++, i++) page[i] = page[i - d]!;
      for (let j = r() % 700; j > 0 && i < pageSize; j--) page[i++] = r() & 255; // literal runs past 238 and 255+
    }
  }
  return out;
}

/** Random literal/match mixes: literal runs and match lengths drawn from small to page-sized. */
function mixPages(count: number, pageSize: number, seed: number): Uint8Array {
  const r = rng(seed);
  const pages = new Uint8Array(count * pageSize);
  for (let p = 0; p < count; p++) {
    const page = pages.subarray(p * pageSize, (p + 1) * pageSize);
    let i = 0;
    while (i < pageSize) {
      const lit = r() % [4, 20, 300, 1200][p % 4]!;
      for (let j = 0; j < lit && i < pageSize; j++) page[i++] = r() & 255;
      if (i === 0) continue;
      const d = 1 + (r() % i);
      const len = 3 + (r() % [10, 40, 600, 3000][(p >> 2) % 4]!);
      for (let j = 0; j < len && i < pageSize; j++, i++) page[i] = page[i - d]!;
    }
  }
  return pages;
}

/** Every kind of page, at 4 KiB or larger pages. */
function corpus(pageSize: number): Uint8Array {
  const synthetic = pageSize === 4096 ? syntheticPages(900) : syntheticPages(16 * 18, 4096, 5);
  const parts = [synthetic, lowEntropyPages((4 * pageSize) / 4096), new Uint8Array(2 * pageSize), longRunPages(pageSize, 7), mixPages(pageSize === 4096 ? 64 : 8, pageSize, 9)];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

const corpora = new Map([4096, 16384, 65536].map((ps) => [ps, corpus(ps)]));
const real = realKernelPages(4000);

let k: KernelExports;
beforeAll(async () => {
  k = await instantiateKernels(await nodeWasmModule());
});

describe.each(cases)('$codec decoder', ({ codec, decode, reference }) => {
  it.each([4096, 16384, 65536])('decodes what our AssemblyScript encoder writes, %i-byte pages', (pageSize) => {
    const pages = corpora.get(pageSize)!;
    const stored = createCompressor(k, codec, pageSize, 64).compress(pages);
    const { pages: back, compressed } = decodeAll(decode, stored, pageSize);
    expect(firstDifferentPage(back, pages, pageSize)).toBe(-1);
    expect(compressed).toBeGreaterThan(pages.length / pageSize / 2); // most pages went through the decoder
  });

  it.skipIf(!real)(`decodes real kernel pages (${real?.source ?? 'no cached vmcore in .cache/fixtures'})`, () => {
    const { pages: back } = decodeAll(decode, createCompressor(k, codec, 4096).compress(real!.pages), 4096);
    expect(firstDifferentPage(back, real!.pages, 4096)).toBe(-1);
  });

  const skip = decoderSkipReason(codec);
  if (skip) console.warn(`[${codec} decoder vs the reference encoder] skipped: ${skip}`);
  describe.skipIf(!!skip)(`streams from the reference library (${skip ?? `${python} ${codec}`})`, () => {
    it.each(Object.entries(reference))('%s', (_name, expr) => {
      for (const pageSize of [4096, 65536]) {
        const pages = real && pageSize === 4096 ? concatBytes([corpora.get(pageSize)!, real.pages]) : corpora.get(pageSize)!;
        const stored = pythonCompressPages(codec, [], expr, pages, pageSize);
        const { pages: back } = decodeAll(decode, stored, pageSize);
        expect(firstDifferentPage(back, pages, pageSize), `page size ${pageSize}`).toBe(-1);
      }
    });
  });

  describe('corrupt input throws (and terminates)', () => {
    const pageSize = 4096;
    const samples = () => {
      const pages = corpora.get(pageSize)!.subarray(0, 60 * pageSize);
      const { data, sizes } = createCompressor(k, codec, pageSize).compress(pages);
      const streams: Uint8Array[] = [];
      let at = 0;
      for (const w of sizes) {
        const n = w & 0x7fff_ffff;
        if (!(w >>> 31)) streams.push(data.subarray(at, at + n));
        at += n;
      }
      return streams;
    };

    it('every truncation of a valid stream', () => {
      let cuts = 0;
      for (const s of samples().slice(0, 25))
        for (let n = 0; n < s.length; n++, cuts++) expect(() => decode(s.subarray(0, n), pageSize), `cut at ${n} of ${s.length}`).toThrow(new RegExp(`^${codec} `, 'i'));
      expect(cuts).toBeGreaterThan(1000);
    });

    it('output longer than the capacity', () => {
      for (const s of samples()) expect(() => decode(s, pageSize - 1)).toThrow(/exceed|more than|overruns/);
    });

    it('bytes after the end, or no end where one is due', () => {
      const s = samples()[1]!;
      const longer = concatBytes([s, new Uint8Array([0, 0x41])]); // a 1-byte literal in either format
      expect(() => decode(longer, pageSize)).toThrow(codec === 'lzo' ? /more bytes follow/ : /overruns the promised/);
      expect(() => decode(s.subarray(0, s.length - 1), pageSize)).toThrow(codec === 'lzo' ? /ends early/ : /ends after|ends early/);
    });

    it('random bytes and single-byte corruptions: an Error of ours, or output within the capacity', () => {
      const r = rng(5);
      const random: Uint8Array[] = [];
      for (let i = 0; i < 3000; i++) random.push(Uint8Array.from({ length: 1 + (r() % 300) }, () => r() & 255));
      const mutated: Uint8Array[] = [];
      for (const s of samples())
        for (let i = 0; i < 40; i++) {
          const bad = s.slice();
          bad[r() % bad.length] ^= 1 + (r() % 255);
          mutated.push(bad);
        }
      const rejected = (inputs: Uint8Array[]) => {
        let threw = 0;
        for (const input of inputs) {
          let out: Uint8Array;
          try {
            out = decode(input, pageSize);
          } catch (e) {
            expect(e).toBeInstanceOf(Error);
            expect((e as Error).message).toMatch(new RegExp(`^${codec} `, 'i'));
            threw++;
            continue;
          }
          expect(out.length).toBeLessThanOrEqual(pageSize);
        }
        return threw;
      };
      expect(rejected(random)).toBeGreaterThan(random.length * 0.95);
      rejected(mutated); // a changed literal byte still decodes: only the kind of failure is checked
    });
  });
});

describe('hand-made streams', () => {
  const a = 0x61;
  it('LZO: the smallest streams, and a match before the start of the output', () => {
    const EOS = [0x11, 0, 0];
    expect(lzoDecompress(new Uint8Array(EOS), 16)).toEqual(new Uint8Array(0));
    // 1 literal, then 01LDDDSS: 4 bytes from 1 back (an overlapping copy), then 1 trailing literal
    expect(lzoDecompress(new Uint8Array([18, a, 0b0110_0001, 0, 0x62, ...EOS]), 16)).toEqual(new TextEncoder().encode('aaaaab'));
    expect(() => lzoDecompress(new Uint8Array([18, a, 0b0110_0100, 0, ...EOS]), 16)).toThrow(/match 2 bytes back at output byte 1 reaches before the start/);
    expect(() => lzoDecompress(new Uint8Array([0x11, 4, 0, ...EOS]), 16)).toThrow(/match 16385 bytes back at output byte 0/);
    expect(() => lzoDecompress(new Uint8Array([]), 16)).toThrow(/ends early/);
    // a length field of zero bytes only, running past the capacity before the input ends
    expect(() => lzoDecompress(new Uint8Array([0, ...new Uint8Array(100)]), 4096)).toThrow(/length .* exceeds the 4096-byte output/);
  });

  it('snappy: offset 0, a copy before the start, a lying preamble', () => {
    expect(snappyDecompress(new Uint8Array([6, 0, a, 0b0000_0101, 1]), 16)).toEqual(new Uint8Array([a, a, a, a, a, a]));
    expect(() => snappyDecompress(new Uint8Array([5, 0, a, 0b0000_0001, 0]), 16)).toThrow(/offset 0/);
    expect(() => snappyDecompress(new Uint8Array([5, 0, a, 0b0000_0001, 2]), 16)).toThrow(/copy 2 bytes back at output byte 1 reaches before the start/);
    expect(() => snappyDecompress(new Uint8Array([0x81, 0x80, 0x04, 0, a]), 4096)).toThrow(/claims 65537 bytes, more than 4096/);
    expect(() => snappyDecompress(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 4096)).toThrow(/longer than 5 bytes/);
    expect(() => snappyDecompress(new Uint8Array([2, 0, a]), 16)).toThrow(/ends after 1 of the promised 2 bytes/);
    expect(() => snappyDecompress(new Uint8Array([1, 4, a, a]), 16)).toThrow(/ends early|overruns/);
  });
});

describe('the kdump reader decodes -l, -p and -z pages by default', () => {
  const PS = 4096;
  const count = 24;
  const data = syntheticPages(count, PS, 11);
  const core = buildElfCore({
    notes: [prstatusNote(), vmcoreinfoNote('OSRELEASE=6.1.0-test\nPAGESIZE=4096\nNUMBER(phys_base)=0\nCRASHTIME=1700000000\n')],
    loads: [{ paddr: 0, vaddr: 0xffff888000000000n, data }],
  });
  it.each(['lzo', 'snappy', 'zstd'] as const)('%s', async (codec) => {
    const bitmap = new Uint8Array(bitmapBytes(count));
    for (let p = 0; p < count; p++) setBit(bitmap, p);
    const sink = new MemorySink('out.kdump');
    const source = await openDump(new MemorySource(core, 'synthetic.vmcore'));
    const encoder = compressorEncoder(source, codec, createCompressor(k, codec, PS));
    await writeKdump(source, { maxPfn: count, bitmap1: bitmap, bitmap2: bitmap, excludeZero: false }, sink, { dumpLevel: 0, encoder });
    await sink.close();
    const dump = await readKdumpDump(new MemorySource(sink.bytes().slice(), 'out.kdump'));
    let compressed = 0;
    for await (const { desc } of dump.descriptors()) if (desc.flags) compressed++;
    expect(compressed).toBeGreaterThan(count / 2);
    expect(await dump.readPhys(0, count * PS)).toEqual(data);
  });
});
