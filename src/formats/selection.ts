/**
 * What a writer keeps: the writers' only input from classification, so they do not depend on how the
 * pages were classified (our classifier, or makedumpfile's own bitmaps read back from its output).
 *
 * Bitmaps are makedumpfile's: byte pfn>>3, bit pfn&7 (LSB first), ceil(maxPfn/8) bytes; bits at or above
 * maxPfn are ignored.
 */
export interface PageSelection {
  /** makedumpfile's max_mapnr: pfns [0, maxPfn) are described. */
  readonly maxPfn: number;
  /** 1st bitmap: the pfn is RAM in the dump (inside a PT_LOAD), not a hole. */
  readonly bitmap1: Uint8Array;
  /**
   * 2nd bitmap: the pfn is dumpable (not excluded by the dump level). For kdump output zero pages stay
   * dumpable here (the writer finds them by content); the ELF writer clears them itself when excludeZero.
   */
  readonly bitmap2: Uint8Array;
  /** Dump level bit 1: zero-filled pages are excluded (kdump: all share one stored zero page). */
  readonly excludeZero: boolean;
}

export const bitmapBytes = (maxPfn: number): number => Math.ceil(maxPfn / 8);

export function testBit(bitmap: Uint8Array, pfn: number): boolean {
  return ((bitmap[pfn >>> 3] ?? 0) & (1 << (pfn & 7))) !== 0;
}

export function setBit(bitmap: Uint8Array, pfn: number): void {
  bitmap[pfn >>> 3]! |= 1 << (pfn & 7);
}

/** Sets bits [start, end): whole bytes at once between the partial ones at either end. */
export function setBitRange(bitmap: Uint8Array, start: number, end: number): void {
  let pfn = start;
  for (; pfn < end && pfn & 7; pfn++) bitmap[pfn >> 3] |= 1 << (pfn & 7);
  const wholeEnd = end & ~7;
  if (pfn < wholeEnd) {
    bitmap.fill(0xff, pfn >> 3, wholeEnd >> 3);
    pfn = wholeEnd;
  }
  for (; pfn < end; pfn++) bitmap[pfn >> 3] |= 1 << (pfn & 7);
}

export function clearBit(bitmap: Uint8Array, pfn: number): void {
  bitmap[pfn >>> 3]! &= ~(1 << (pfn & 7));
}

const POP8 = (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = (i & 1) + t[i >> 1]!;
  return t;
})();

/** Set bits among pfns [0, maxPfn). */
export function countBits(bitmap: Uint8Array, maxPfn: number): number {
  const full = maxPfn >>> 3;
  let n = 0;
  for (let i = 0; i < full; i++) n += POP8[bitmap[i] ?? 0]!;
  const rest = maxPfn & 7;
  if (rest) n += POP8[(bitmap[full] ?? 0) & ((1 << rest) - 1)]!;
  return n;
}

/** ceil(maxPfn/8) bytes of `bitmap` with bits at or above maxPfn cleared (a copy). */
export function trimmedBitmap(bitmap: Uint8Array, maxPfn: number): Uint8Array {
  const out = new Uint8Array(bitmapBytes(maxPfn));
  out.set(bitmap.subarray(0, Math.min(out.length, bitmap.length)));
  const rest = maxPfn & 7;
  if (rest) out[out.length - 1]! &= (1 << rest) - 1;
  return out;
}

/** Builds a selection from per-pfn predicates (one pass; 2 bits of memory per pfn). */
export function selectionFromPredicates(
  maxPfn: number,
  inMemory: (pfn: number) => boolean,
  dumpable: (pfn: number) => boolean,
  excludeZero: boolean,
): PageSelection {
  const bitmap1 = new Uint8Array(bitmapBytes(maxPfn));
  const bitmap2 = new Uint8Array(bitmapBytes(maxPfn));
  for (let pfn = 0; pfn < maxPfn; pfn++) {
    if (inMemory(pfn)) setBit(bitmap1, pfn);
    if (dumpable(pfn)) setBit(bitmap2, pfn);
  }
  return { maxPfn, bitmap1, bitmap2, excludeZero };
}

/** Calls fn(start, end) for each run of consecutive set bits in [from, to). */
export function forEachRun(bitmap: Uint8Array, from: number, to: number, fn: (start: number, end: number) => void): void {
  for (const [s, e] of bitRuns(bitmap, from, to)) fn(s, e);
}

/** Runs [start, end) of consecutive set bits in [from, to), lazily (no memory per run). */
export function* bitRuns(bitmap: Uint8Array, from: number, to: number): Generator<[number, number]> {
  let pfn = from;
  while (pfn < to) {
    const byte = bitmap[pfn >>> 3] ?? 0;
    if (byte === 0 && (pfn & 7) === 0) {
      pfn += 8;
      continue;
    }
    if (!(byte & (1 << (pfn & 7)))) {
      pfn++;
      continue;
    }
    const start = pfn;
    while (pfn < to) {
      const b = bitmap[pfn >>> 3] ?? 0;
      if (b === 0xff && (pfn & 7) === 0 && pfn + 8 <= to) {
        pfn += 8;
        continue;
      }
      if (!(b & (1 << (pfn & 7)))) break;
      pfn++;
    }
    yield [start, Math.min(pfn, to)];
  }
}
