import { VmsieveError } from '../errors.js';
import type { LoadSegment, PfnRange } from '../model/dump.js';
import type { BitmapMode } from '../model/bitmap-mode.js';
import { mergedRanges } from '../model/page-extents.js';
import { DL_CACHE, DL_CACHE_PRI, DL_FREE, DL_USER, DL_ZERO } from '../kernel/page-layout.js';

/**
 * Decoding of the level-independent class map written by assembly/classify.ts, and what a dump level
 * makes of it. One byte per pfn:
 *
 *   bit 7      the page is all zero bytes (set by the zero scan; only for pages some odd level may keep)
 *   bits 0..6  0..53 visited page: f*18 + r        54..71  inside a free block: 54 + r (own r)
 *              72..89 compound tail: 72 + r(head)  90..107 compound tail inside a free block: 90 + r(head)
 *              127 not visited and not covered by any range (outside the PT_LOADs' file data, or no mem_map)
 *   r = k*6 + u*3 + a; f: 0 none, 1 free (buddy or unaccepted), 2 buddy with an invalid order (skipped when bit 16 is on)
 *   k: 0 –, 1 non-private cache, 2 private cache;  u: 1 user data (anon or hugetlb);  a: 0 –, 1 hwpoison, 2 offline
 *
 * makedumpfile's chain (first match wins): free [16] → cache without PG_private [2] → any cache [4] → user [8]
 * → hwpoison [always] → offline [always] → kept.
 */

export const ZERO_BIT = 0x80;
export const CODE_MASK = 0x7f;
export const CODE_FREE_INTERIOR = 54;
export const CODE_TAIL = 72;
export const CODE_FREE_TAIL = 90;
export const CODE_NOT_VISITED = 127;

/** What happens to an in-dump page at one level, with makedumpfile's report counter it lands in. */
export const enum Outcome {
  Kept = 0,
  Zero = 1,
  Cache = 2,
  CachePrivate = 3,
  User = 4,
  Free = 5,
  Hwpoison = 6,
  Offline = 7,
}

export function checkLevel(level: number): void {
  if (!Number.isInteger(level) || level < 0 || level > 31)
    throw new VmsieveError('E_USAGE', `dump level ${level} is out of range: it must be an integer from 0 to 31 (a sum of 1, 2, 4, 8 and 16)`);
}

function outcomeOfR(r: number, level: number): Outcome {
  const k = Math.floor(r / 6);
  const u = Math.floor(r / 3) % 2;
  const a = r % 3;
  if (k === 1 && level & DL_CACHE) return Outcome.Cache;
  if (k !== 0 && level & DL_CACHE_PRI) return k === 2 ? Outcome.CachePrivate : Outcome.Cache;
  if (u && level & DL_USER) return Outcome.User;
  if (a === 1) return Outcome.Hwpoison;
  if (a === 2) return Outcome.Offline;
  return Outcome.Kept;
}

/** The page-class outcome of a class byte at a level, ignoring zero-ness. */
export function classOutcome(code: number, level: number): Outcome {
  code &= CODE_MASK;
  if (code < CODE_FREE_INTERIOR) {
    const f = Math.floor(code / 18);
    if (level & DL_FREE) {
      if (f === 1) return Outcome.Free;
      if (f === 2) return Outcome.Kept;
    }
    return outcomeOfR(code % 18, level);
  }
  if (code < CODE_TAIL) return level & DL_FREE ? Outcome.Free : outcomeOfR(code - CODE_FREE_INTERIOR, level);
  if (code < CODE_FREE_TAIL) return outcomeOfR(code - CODE_TAIL, level);
  if (code < CODE_FREE_TAIL + 18) return level & DL_FREE ? Outcome.Free : outcomeOfR(code - CODE_FREE_TAIL, level);
  return Outcome.Kept;
}

/** Outcome of a class byte (zero bit included) at a level, for a pfn that is in the dump. */
export function outcomeOf(byte: number, level: number): Outcome {
  const o = classOutcome(byte, level);
  if (o === Outcome.Kept && level & DL_ZERO && byte & ZERO_BIT) return Outcome.Zero;
  return o;
}

const tables: Uint8Array[] = [];
/** byte → Outcome for one level (256 entries), for loops over the class map. */
export function outcomeTable(level: number): Uint8Array {
  checkLevel(level);
  let t = tables[level];
  if (!t) {
    t = new Uint8Array(256);
    for (let b = 0; b < 256; b++) t[b] = outcomeOf(b, level);
    tables[level] = t;
  }
  return t;
}

/** True for codes that only exist because a range (free block, compound page) started at an earlier pfn. */
export function isRangeCovered(byte: number): boolean {
  const c = byte & CODE_MASK;
  return c >= CODE_FREE_INTERIOR && c < CODE_FREE_TAIL + 18;
}

const headlessTables: Uint8Array[] = [];
/**
 * byte → Outcome when the walk starts inside the range that covers the page, so its head is never seen
 * (makedumpfile's ELF-output cycles start at each PT_LOAD): free-block pages are classified on their own
 * (without their own free mark, which they do not have in a consistent dump) and compound tails are kept.
 */
export function headlessOutcomeTable(level: number): Uint8Array {
  checkLevel(level);
  let t = headlessTables[level];
  if (!t) {
    t = new Uint8Array(256);
    for (let b = 0; b < 256; b++) {
      const c = b & CODE_MASK;
      let o: Outcome;
      if (c >= CODE_FREE_INTERIOR && c < CODE_TAIL) o = outcomeOfR(c - CODE_FREE_INTERIOR, level);
      else if (c >= CODE_TAIL && c < CODE_FREE_TAIL + 18) o = Outcome.Kept;
      else o = classOutcome(b, level);
      if (o === Outcome.Kept && level & DL_ZERO && b & ZERO_BIT) o = Outcome.Zero;
      t[b] = o;
    }
    headlessTables[level] = t;
  }
  return t;
}

/** code (0..127) → 1 when a page with that code is kept, before zero filtering, at at least one of `levels`. */
export function zeroScanTable(levels: readonly number[]): Uint8Array {
  const t = new Uint8Array(128);
  for (const level of levels) {
    checkLevel(level);
    if (!(level & DL_ZERO)) continue;
    for (let c = 0; c < 128; c++) if (classOutcome(c, level) === Outcome.Kept) t[c] = 1;
  }
  return t;
}

/**
 * A PT_LOAD's pfns in makedumpfile's 1st bitmap: from floor(physStart / page) to floor(physEnd / page) clipped to
 * max_mapnr; in 'file' mode (create_1st_bitmap_file) the partial last page too.
 */
function loadPfns(l: LoadSegment, pageSize: number, maxPfn: number, mode: BitmapMode): PfnRange {
  const partialLast = mode === 'file' && l.physEnd % pageSize !== 0 ? 1 : 0;
  return { start: Math.floor(l.physStart / pageSize), end: Math.min(Math.floor(l.physEnd / pageSize) + partialLast, maxPfn) };
}

/** makedumpfile's 1st bitmap ("pfn is in the dump"): each PT_LOAD's pfns (loadPfns); overlapping loads merge here. */
export function inDumpRanges(loads: readonly LoadSegment[], pageSize: number, maxPfn: number, mode: BitmapMode): PfnRange[] {
  return mergedRanges(loads.map((l) => loadPfns(l, pageSize, maxPfn, mode)));
}

/**
 * makedumpfile's exclude_nodata_pages(): a PT_LOAD's pages from roundup(physStart + fileSize) to roundup(physEnd)
 * are never written — and counted in no report line, so they stay in "Remaining pages" — whichever segment they are in.
 */
export function withDataRanges(inDump: readonly PfnRange[], loads: readonly LoadSegment[], pageSize: number, maxPfn: number): PfnRange[] {
  const nodata = loads
    .map((l) => ({ start: Math.ceil((l.physStart + l.fileSize) / pageSize), end: Math.min(Math.ceil(l.physEnd / pageSize), maxPfn) }))
    .filter((r) => r.start < r.end);
  let out = inDump.map((r) => ({ ...r }));
  for (const cut of nodata) {
    out = out.flatMap((r) => {
      if (cut.end <= r.start || cut.start >= r.end) return [r];
      const parts: PfnRange[] = [];
      if (r.start < cut.start) parts.push({ start: r.start, end: cut.start });
      if (cut.end < r.end) parts.push({ start: cut.end, end: r.end });
      return parts;
    });
  }
  return out;
}

/**
 * makedumpfile's "Original pages": the sum of each PT_LOAD's pages (as in the 1st bitmap) — not the union, so
 * pages in two PT_LOADs (the kdump kernel-image segment) count twice.
 */
export function originalPageCount(loads: readonly LoadSegment[], pageSize: number, maxPfn: number, mode: BitmapMode): number {
  let n = 0;
  for (const l of loads) {
    const { start, end } = loadPfns(l, pageSize, maxPfn, mode);
    if (end > start) n += end - start;
  }
  return n;
}

export interface ClassMapLike {
  classMap: Uint8Array;
  maxPfn: number;
  inDump: PfnRange[];
  /** inDump less every PT_LOAD's pages past its p_filesz: the pages that can be written. */
  withData: PfnRange[];
}

/**
 * makedumpfile's 2nd bitmap for a level: bit (pfn & 7) of byte (pfn >> 3) is set when the page is written
 * (in the dump and neither excluded by class nor, when bit 1 is set, all zero).
 */
export function dumpableBitmap(result: ClassMapLike, level: number): Uint8Array {
  const kept = outcomeTable(level).map((o) => (o === Outcome.Kept ? 1 : 0));
  const map = result.classMap;
  const bits = new Uint8Array(Math.ceil(result.maxPfn / 8));
  const one = (pfn: number) => (bits[pfn >> 3]! |= kept[map[pfn]!]! << (pfn & 7));
  for (const r of result.withData) {
    let pfn = r.start;
    for (; pfn < r.end && pfn & 7; pfn++) one(pfn);
    // Whole bytes inside the range: no other range shares them, so each is written once.
    for (; pfn + 8 <= r.end; pfn += 8)
      bits[pfn >> 3] =
        kept[map[pfn]!]! |
        (kept[map[pfn + 1]!]! << 1) |
        (kept[map[pfn + 2]!]! << 2) |
        (kept[map[pfn + 3]!]! << 3) |
        (kept[map[pfn + 4]!]! << 4) |
        (kept[map[pfn + 5]!]! << 5) |
        (kept[map[pfn + 6]!]! << 6) |
        (kept[map[pfn + 7]!]! << 7);
    for (; pfn < r.end; pfn++) one(pfn);
  }
  return bits;
}
