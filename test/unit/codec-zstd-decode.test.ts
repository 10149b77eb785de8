// The TypeScript zstd frame decoder (the kdump reader's default for makedumpfile -z pages): frames
// from our AssemblyScript encoder and from libzstd (python3-zstandard, several levels, with and
// without content size and checksum) decode to the original pages; corrupt frames throw and terminate.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressor, type CompressedPages } from '../../src/codecs/registry.js';
import { zstdDecompress } from '../../src/codecs/zstd-decode.js';
import { concatBytes } from '../../src/io/concat.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { decoderSkipReason, firstDifferentPage, lowEntropyPages, python, pythonCompressPages, realKernelPages, rng, syntheticPages } from '../helpers/decoders.js';

/** Text-like, repetitive, zero and random pages (the synthetic corpus mixes them), at 4 or 64 KiB. */
function corpus(pageSize: number): Uint8Array {
  const parts = [
    pageSize === 4096 ? syntheticPages(400) : syntheticPages(16 * 12, 4096, 5),
    lowEntropyPages((4 * pageSize) / 4096),
    new Uint8Array(2 * pageSize),
    randomPages(2, pageSize, 3),
  ];
  return concatBytes(parts);
}

function randomPages(count: number, pageSize: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: count * pageSize }, () => r() & 255);
}

/** Splits compressor output into frames; raw-stored pages (bit 31) are left out. */
function frames({ data, sizes }: CompressedPages): { frame: Uint8Array; page: number }[] {
  const out: { frame: Uint8Array; page: number }[] = [];
  let at = 0;
  sizes.forEach((w, page) => {
    const n = w & 0x7fff_ffff;
    if (!(w >>> 31)) out.push({ frame: data.subarray(at, at + n), page });
    at += n;
  });
  return out;
}

/** Decodes every page's frame and checks it against the original. Returns how many frames were decoded. */
function expectDecodes(stored: CompressedPages, pages: Uint8Array, pageSize: number): number {
  const list = frames(stored);
  for (const { frame, page } of list) {
    const back = zstdDecompress(frame, pageSize);
    expect(back.length, `page ${page}`).toBe(pageSize);
    expect(firstDifferentPage(back, pages.subarray(page * pageSize, (page + 1) * pageSize), pageSize), `page ${page}`).toBe(-1);
  }
  return list.length;
}

/** Compresses each page with libzstd through python3-zstandard; every frame is kept (none stored raw). */
function libzstdCompress(options: string, pages: Uint8Array, pageSize: number): CompressedPages {
  return pythonCompressPages('zstandard', [`z = zstandard.ZstdCompressor(${options})`], 'z.compress(b)', pages, pageSize);
}

/** What a frame's blocks and sections use, read from the headers, to show which decoder paths a corpus reaches. */
function features(frame: Uint8Array): Set<string> {
  const seen = new Set<string>();
  const d = frame[4]!;
  if (d >> 6 || d & 0x20) seen.add('content size');
  else seen.add('no content size');
  if (d & 4) seen.add('checksum');
  let at = 5 + (d & 0x20 ? 0 : 1) + [d & 0x20 ? 1 : 0, 2, 4, 8][d >> 6]!;
  for (;;) {
    const h = frame[at]! | (frame[at + 1]! << 8) | (frame[at + 2]! << 16);
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    at += 3;
    seen.add(['raw block', 'RLE block', 'compressed block'][type]!);
    if (type === 2) {
      const lit = frame[at]!;
      const litType = lit & 3;
      const sizeFormat = (lit >> 2) & 3;
      const le = (from: number, n: number) => frame.subarray(from, from + n).reduceRight((v, b) => v * 256 + b, 0);
      seen.add(`literals ${['raw', 'RLE', 'Huffman', 'treeless'][litType]}${litType >= 2 ? (sizeFormat ? ' 4 streams' : ' 1 stream') : ''}`);
      let sequences: number;
      if (litType < 2) {
        const [headerBytes, regenerated] = sizeFormat & 1 ? (sizeFormat === 1 ? [2, le(at, 2) >> 4] : [3, le(at, 3) >> 4]) : [1, lit >> 3];
        sequences = at + headerBytes + (litType === 0 ? regenerated : 1);
      } else {
        const headerBytes = [3, 3, 4, 5][sizeFormat]!;
        const bits = [10, 10, 14, 18][sizeFormat]!;
        const compressed = Math.floor(le(at, headerBytes) / 2 ** (4 + bits)) % 2 ** bits;
        if (litType === 2) seen.add(frame[at + headerBytes]! < 128 ? 'Huffman weights FSE' : 'Huffman weights direct');
        sequences = at + headerBytes + compressed;
      }
      const count = frame[sequences]!;
      if (count === 0) seen.add('no sequences');
      else {
        const modes = frame[sequences + (count < 128 ? 1 : count < 255 ? 2 : 3)]!;
        const names = ['predefined', 'RLE', 'FSE', 'repeat'];
        seen.add(`literal lengths ${names[modes >> 6]}`).add(`offsets ${names[(modes >> 4) & 3]}`).add(`match lengths ${names[(modes >> 2) & 3]}`);
      }
    }
    at += type === 1 ? 1 : size;
    if (h & 1) break;
  }
  return seen;
}

const corpora = new Map([4096, 16384, 65536].map((ps) => [ps, corpus(ps)]));
const real = realKernelPages(3000);

let k: KernelExports;
beforeAll(async () => {
  k = await instantiateKernels(await nodeWasmModule());
});

describe('zstd decoder', () => {
  it.each([4096, 16384, 65536])('decodes what our AssemblyScript encoder writes, %i-byte pages', (pageSize) => {
    const pages = corpora.get(pageSize)!;
    const decoded = expectDecodes(createCompressor(k, 'zstd', pageSize, 64).compress(pages), pages, pageSize);
    expect(decoded).toBeGreaterThan(pages.length / pageSize / 2);
  });

  it.skipIf(!real)(`decodes real kernel pages (${real?.source ?? 'no cached vmcore in .cache/fixtures'})`, () => {
    expect(expectDecodes(createCompressor(k, 'zstd', 4096).compress(real!.pages), real!.pages, 4096)).toBeGreaterThan(1000);
  });

  it('decodes a frame of random bytes (our writer stores such pages raw; libzstd frames of them are in the corpus above)', () => {
    const page = randomPages(1, 4096, 17);
    expect(createCompressor(k, 'zstd', 4096).compress(page).sizes[0]! >>> 31, 'stored raw').toBe(1);
    // Single segment, 2-byte content size (4096 - 256), one last raw block of 4096 bytes.
    const frame = concatBytes([new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x60, 0x00, 0x0f, 0x01, 0x80, 0x00]), page]);
    expect(zstdDecompress(frame, 4096)).toEqual(page);
  });

  const skip = decoderSkipReason('zstd');
  if (skip) console.warn(`[zstd decoder vs libzstd] skipped: ${skip}`);
  describe.skipIf(!!skip)(`frames from libzstd (${skip ?? `${python} zstandard`})`, () => {
    const variants = {
      'level 1': 'level=1',
      'level 3 (makedumpfile -z: ZSTD_compress)': 'level=3',
      'level 9 with checksum': 'level=9, write_checksum=True',
      'level 19 without content size': 'level=19, write_content_size=False',
      'level 3 with checksum, without content size': 'level=3, write_checksum=True, write_content_size=False',
    };
    const seen = new Set<string>();
    it.each(Object.entries(variants))('%s', (_name, options) => {
      for (const pageSize of [4096, 65536]) {
        const pages = real && pageSize === 4096 ? concatBytes([corpora.get(pageSize)!, real.pages]) : corpora.get(pageSize)!;
        const stored = libzstdCompress(options, pages, pageSize);
        expect(expectDecodes(stored, pages, pageSize)).toBe(pages.length / pageSize);
        for (const { frame } of frames(stored)) for (const f of features(frame)) seen.add(f);
      }
    });

    it('64 KiB pages in frames of many blocks (a 1 KiB window): treeless literals, repeated tables, RLE blocks', () => {
      // A 1 KiB window limits blocks to 1 KiB, so a 64 KiB page takes many blocks that may reuse
      // the previous block's Huffman and FSE tables.
      const pages = corpora.get(65536)!;
      for (const level of [3, 19]) {
        const stored = libzstdCompress(`compression_params=zstandard.ZstdCompressionParameters.from_level(${level}, window_log=10, write_checksum=1)`, pages, 65536);
        expect(expectDecodes(stored, pages, 65536)).toBe(pages.length / 65536);
        for (const { frame } of frames(stored)) for (const f of features(frame)) seen.add(f);
      }
    });

    it('between them, the frames reach every kind of block, literals section, table mode and header (RLE literals: see the hand-made frames)', () => {
      const expected = ['content size', 'no content size', 'checksum', 'raw block', 'RLE block', 'compressed block', 'no sequences'];
      expected.push('literals raw', 'literals Huffman 1 stream', 'literals Huffman 4 streams', 'literals treeless 1 stream', 'literals treeless 4 streams', 'Huffman weights FSE', 'Huffman weights direct');
      for (const symbols of ['literal lengths', 'offsets', 'match lengths']) for (const mode of ['predefined', 'RLE', 'FSE', 'repeat']) expected.push(`${symbols} ${mode}`);
      for (const f of expected) expect(seen, f).toContain(f);
    });
  });

  describe('corrupt input throws (and terminates)', () => {
    const pageSize = 4096;
    const samples = (): Uint8Array[] => frames(createCompressor(k, 'zstd', pageSize).compress(corpora.get(pageSize)!.subarray(0, 60 * pageSize))).map((f) => f.frame);
    // libzstd's frames of real pages (or the corpus) reach the Huffman and FSE table parsers; without
    // content size or checksum, only the structure can tell a truncated frame.
    const libzstdSamples = (): Uint8Array[] =>
      decoderSkipReason('zstd') ? [] : frames(libzstdCompress('level=19, write_content_size=False', (real?.pages ?? corpora.get(pageSize)!).subarray(0, 30 * pageSize), pageSize)).map((f) => f.frame);

    it('every truncation of a valid frame', () => {
      let cuts = 0;
      for (const s of [...samples().slice(0, 25), ...libzstdSamples().slice(0, 10)]) for (let n = 0; n < s.length; n++, cuts++) expect(() => zstdDecompress(s.subarray(0, n), pageSize), `cut at ${n} of ${s.length}`).toThrow(/^zstd /);
      expect(cuts).toBeGreaterThan(1000);
    });

    it('output longer than the page', () => {
      for (const s of samples()) expect(() => zstdDecompress(s, pageSize - 1)).toThrow(/^zstd .*(exceeds|past the page size)/);
    });

    it('bytes after the frame', () => {
      expect(() => zstdDecompress(concatBytes([samples()[1]!, new Uint8Array([0])]), pageSize)).toThrow(/^zstd frame ends at byte \d+ but 1 bytes follow/);
    });

    it('random bytes and single-byte corruptions: an Error of ours, or output within the page', () => {
      const r = rng(5);
      const random: Uint8Array[] = [];
      for (let i = 0; i < 3000; i++) random.push(Uint8Array.from({ length: 1 + (r() % 300) }, () => r() & 255));
      // Random bytes behind a valid header reach the block and section parsers.
      const header = samples()[0]!.subarray(0, 6);
      const behindHeader = random.slice(0, 1000).map((b) => concatBytes([header, b]));
      const mutated: Uint8Array[] = [];
      for (const s of [...samples(), ...libzstdSamples()])
        for (let i = 0; i < 40; i++) {
          const bad = s.slice();
          bad[r() % bad.length]! ^= 1 + (r() % 255);
          mutated.push(bad);
        }
      const rejected = (inputs: Uint8Array[]): number => {
        let threw = 0;
        for (const input of inputs) {
          let out: Uint8Array;
          try {
            out = zstdDecompress(input, pageSize);
          } catch (e) {
            expect(e).toBeInstanceOf(Error);
            expect((e as Error).message).toMatch(/^zstd /);
            threw++;
            continue;
          }
          expect(out.length).toBeLessThanOrEqual(pageSize);
        }
        return threw;
      };
      expect(rejected(random)).toBe(random.length);
      expect(rejected(behindHeader)).toBeGreaterThan(behindHeader.length * 0.95);
      // A changed literal byte still decodes when the frame has no checksum: only the kind of failure is checked.
      expect(rejected(mutated)).toBeGreaterThan(mutated.length / 2);
    });

    it.skipIf(!!decoderSkipReason('zstd'))('with a checksum, every single-byte corruption is caught', () => {
      const pages = corpora.get(pageSize)!.subarray(0, 20 * pageSize);
      const r = rng(8);
      for (const { frame } of frames(libzstdCompress('level=19, write_checksum=True', pages, pageSize)))
        for (let i = 0; i < 20; i++) {
          const bad = frame.slice();
          bad[r() % bad.length]! ^= 1 + (r() % 255);
          expect(() => zstdDecompress(bad, pageSize)).toThrow(/^zstd /);
        }
    });
  });

  it('hand-made frames: headers it refuses, a match before the start', () => {
    const magic = [0x28, 0xb5, 0x2f, 0xfd];
    // Single segment, 1-byte content size 3, one last raw block of 3 bytes.
    expect(zstdDecompress(new Uint8Array([...magic, 0x20, 3, 0x19, 0, 0, 1, 2, 3]), 16)).toEqual(new Uint8Array([1, 2, 3]));
    // The same as one RLE block, and as a compressed block of 3 RLE literals and no sequences.
    expect(zstdDecompress(new Uint8Array([...magic, 0x20, 3, 0x1d, 0, 0, 0x19, 7, 0]), 16)).toEqual(new Uint8Array([7, 7, 7]));
    expect(zstdDecompress(new Uint8Array([...magic, 0x20, 3, 0x1b, 0, 0, 7]), 16)).toEqual(new Uint8Array([7, 7, 7]));
    expect(() => zstdDecompress(new Uint8Array([...magic, 0x21, 5, 3]), 16)).toThrow(/^zstd frame needs a dictionary/);
    expect(() => zstdDecompress(new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]), 16)).toThrow(/^zstd skippable frames are not supported/);
    expect(() => zstdDecompress(new Uint8Array([...magic, 0x28, 3]), 16)).toThrow(/^zstd frame header has its reserved bit set/);
    expect(() => zstdDecompress(new Uint8Array([...magic, 0x20, 17, 0x19, 0, 0]), 16)).toThrow(/^zstd frame content size 17 exceeds the page size 16/);
    expect(() => zstdDecompress(new Uint8Array([...magic, 0x20, 3, 0x1f, 0, 0]), 16)).toThrow(/^zstd block at byte 6 has the reserved type/);
    // Compressed blocks in frames with a 1 KiB window and no content size (a single-segment frame's
    // window would be its 4-byte content, smaller than the block).
    // 1 raw literal 'a', 1 sequence in RLE modes (LL code 1, offset code 2 → value 4 → offset 1, ML code 0 → 3).
    // Bitstream: offset extra bits "00" then the end marker: 0b100.
    const block = [0x08, 0x61, 0x01, 0x54, 1, 2, 0, 0x04];
    const header = (size: number) => [((size << 3) | 0b101) & 0xff, (size >> 5) & 0xff, 0];
    expect(zstdDecompress(new Uint8Array([...magic, 0, 0, ...header(block.length), ...block]), 16)).toEqual(new TextEncoder().encode('aaaa'));
    // The same sequence with no literal before it: offset 1 at output byte 0.
    const early = [0x00, 0x01, 0x54, 0, 2, 0, 0x04];
    expect(() => zstdDecompress(new Uint8Array([...magic, 0, 0, ...header(early.length), ...early]), 16)).toThrow(/^zstd match 1 bytes back at output byte 0 reaches before the start/);
  });
});
