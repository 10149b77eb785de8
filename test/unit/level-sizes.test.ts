import { describe, expect, it } from 'vitest';
import { CODECS, type CodecId } from '../../src/codecs/registry.js';
import { ZERO_BIT } from '../../src/filter/dump-level.js';
import { elfNoteOffset } from '../../src/formats/elf-out/write-elf.js';
import { kdumpLayoutFor } from '../../src/formats/kdump/kdump-plan.js';
import { LZO_OF_ALL, MEASURED, MEASURED_ALL, newClassSums, PAGES, SIZE, SLOTS, type ClassSums } from '../../src/pipeline/class-sums.js';
import { levelSizes, type DumpShape, type SizeModelInput } from '../../src/pipeline/level-sizes.js';
import { codecOutput } from '../../src/pipeline/outputs.js';

/**
 * A 16-page dump in one PT_LOAD: pfns 0–7 kernel pages, 8–11 kernel pages that are all zero, 12–15 free pages (class
 * code 18: a buddy page, excluded by bit 16). Every non-zero page of a class stores the same number of bytes.
 */
const PS = 4096;
const KERNEL = 0;
const FREE = 18;
const PER_PAGE: Record<number, Record<CodecId, number>> = {
  [KERNEL]: { zlib: 300, lzo: 500, snappy: 600, zstd: 250 },
  [FREE]: { zlib: 30, lzo: 50, snappy: 60, zstd: 25 },
};
const ZERO_PAGE: Record<CodecId, number> = { zlib: 11, lzo: 12, snappy: 13, zstd: 14 };

const dump: DumpShape = {
  pageSize: PS,
  loads: [{ physStart: 0, physEnd: 16 * PS, fileOffset: 0x1000, fileSize: 16 * PS, virtStart: 0xffff_8000_0000_0000n, flags: 7 }],
  noteSegment: undefined,
  maxPfnFromLoads: 16,
};

function classMap(): Uint8Array {
  const map = new Uint8Array(16);
  map.fill(KERNEL, 0, 8).fill(KERNEL | ZERO_BIT, 8, 12).fill(FREE, 12, 16);
  return map;
}

type Seen = [pages: number, cheap: number, all: number];

/**
 * Sums as a pass gives them, for the kernel, zero and free pages: of each, the pages seen, how many of them were
 * measured with LZO and snappy (cheap), and how many with every codec (all). Zero pages are never measured.
 */
function sums(kernel: Seen, zero: number, free: Seen): ClassSums {
  const s = newClassSums();
  s[(KERNEL | ZERO_BIT) * SLOTS + PAGES] = zero;
  for (const [byte, [pages, cheap, all]] of [[KERNEL, kernel], [FREE, free]] as const) {
    const at = byte * SLOTS;
    const per = PER_PAGE[byte]!;
    s[at + PAGES] = pages;
    s[at + MEASURED] = cheap;
    s[at + MEASURED_ALL] = all;
    s[at + LZO_OF_ALL] = all * per.lzo;
    CODECS.forEach((c, k) => (s[at + SIZE + k] = (c === 'lzo' || c === 'snappy' ? cheap : all) * per[c]));
  }
  return s;
}

const exactSums = () => sums([8, 8, 8], 4, [4, 4, 4]);

function input(seen: ClassSums, more: Partial<SizeModelInput> = {}): SizeModelInput {
  return {
    dump,
    classified: { classMap: classMap(), maxPfn: 16, inDump: [{ start: 0, end: 16 }], originalPages: 16, zeroScanLevels: Array.from({ length: 16 }, (_, i) => 2 * i + 1) },
    readable: [{ start: 0, end: 16 }],
    seen,
    zeroPageSizes: ZERO_PAGE,
    pagesEstimated: false,
    sizesEstimated: false,
    ...more,
  };
}

/** What a kdump file of these pages weighs: its layout up to the data, the shared zero page when bit 1 is on, then each page's bytes. */
function kdumpBytes(descriptors: number, zeroExcluded: boolean, data: number): number {
  return kdumpLayoutFor(PS, 0, 16, descriptors).dataOffset + (zeroExcluded ? PS : 0) + data;
}

describe('the size model (per-class sums → sizes per level)', () => {
  // ELF: a short run of excluded pages between kept ones stays in its segment (level 1); the segment ends at its
  // last kept page (levels 16, 17).
  it('gives every output its exact size at levels 0, 1, 16 and 17', () => {
    const levels = levelSizes(input(exactSums()));
    expect(levels.map((l) => l.level)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    const k = (c: CodecId) => PER_PAGE[KERNEL]![c];
    const f = (c: CodecId) => PER_PAGE[FREE]![c];
    const expected: Record<number, { pages: number; none: number; codec: (c: CodecId) => number; elf: number }> = {
      0: { pages: 16, none: kdumpBytes(16, false, 16 * PS), codec: (c) => kdumpBytes(16, false, 8 * k(c) + 4 * ZERO_PAGE[c] + 4 * f(c)), elf: elfNoteOffset(1) + 16 * PS },
      1: { pages: 12, none: kdumpBytes(16, true, 12 * PS), codec: (c) => kdumpBytes(16, true, 8 * k(c) + 4 * f(c)), elf: elfNoteOffset(1) + 16 * PS },
      16: { pages: 12, none: kdumpBytes(12, false, 12 * PS), codec: (c) => kdumpBytes(12, false, 8 * k(c) + 4 * ZERO_PAGE[c]), elf: elfNoteOffset(1) + 12 * PS },
      17: { pages: 8, none: kdumpBytes(12, true, 8 * PS), codec: (c) => kdumpBytes(12, true, 8 * k(c)), elf: elfNoteOffset(1) + 8 * PS },
    };
    for (const [level, e] of Object.entries(expected)) {
      const l = levels[Number(level)]!;
      expect(l.pages, `level ${level}`).toBe(e.pages);
      expect(l.sameAs).toBeUndefined();
      expect(l.bytes['kdump-none'], `level ${level}`).toBe(e.none);
      for (const c of CODECS) expect(l.bytes[codecOutput(c)], `level ${level} ${c}`).toBe(e.codec(c));
      expect(l.bytes.elf, `level ${level}`).toBe(e.elf);
    }
  });

  it('leaves the sums it is given as they are', () => {
    const seen = exactSums();
    const before = seen.slice();
    levelSizes(input(seen, { pagesEstimated: true, sizesEstimated: true }));
    expect(seen).toEqual(before);
  });

  it('extrapolates a measured sample with even per-page sizes to the exact sizes', () => {
    const exact = levelSizes(input(exactSums()));
    const sample = sums([8, 4, 2], 4, [4, 2, 1]);
    expect(levelSizes(input(sample, { sizesEstimated: true }))).toEqual(exact);
  });

  it('scales a sample of windows up to the class map’s page counts', () => {
    const exact = levelSizes(input(exactSums()));
    // Half of each class's pages seen (zero and not alike), all of them measured.
    const sample = sums([4, 4, 4], 2, [2, 2, 2]);
    const estimated = levelSizes(input(sample, { pagesEstimated: true, sizesEstimated: true }));
    for (const level of [0, 1, 16, 17]) {
      expect(estimated[level]!.pages).toBe(exact[level]!.pages);
      for (const c of CODECS) expect(estimated[level]!.bytes[codecOutput(c)]).toBe(exact[level]!.bytes[codecOutput(c)]);
      expect(estimated[level]!.bytes['kdump-none']).toBe(exact[level]!.bytes['kdump-none']);
    }
    // Zero pages the sample never read are not in the ELF plan: the two zero pages unseen leave the estimate.
    expect(estimated[1]!.bytes.elf).toBe(exact[1]!.bytes.elf - 2 * PS);
  });

  it('gives a level that does not include a kdump input’s own level what their union gives', () => {
    const levels = levelSizes(input(exactSums(), { inputLevel: 16 }));
    const exact = levelSizes(input(exactSums()));
    for (let level = 0; level < 32; level++) {
      const as = level | 16;
      expect(levels[level]!.sameAs).toBe(as === level ? undefined : as);
      expect(levels[level]!.bytes).toEqual(exact[as]!.bytes);
      expect(levels[level]!.pages).toBe(exact[as]!.pages);
    }
  });
});
