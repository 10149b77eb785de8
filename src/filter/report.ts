import { VmsieveError } from '../errors.js';
import type { LoadSegment, PfnRange } from '../model/dump.js';
import { checkLevel, headlessOutcomeTable, isRangeCovered, outcomeTable, Outcome } from './dump-level.js';
import { visitedRanges } from '../model/page-extents.js';
import type { BitmapMode } from '../model/bitmap-mode.js';

/** makedumpfile's "Excluded pages" report (print_report), numbers with its exact meanings. */
export interface PageReport {
  level: number;
  /** Pages in the PT_LOADs, clipped to max_mapnr; pages in two PT_LOADs count twice (kdump's kernel-image segment). */
  original: number;
  /** Sum of the class counters below. */
  excluded: number;
  /** Pages kept by their class but all zero (only when the level has bit 1). */
  zero: number;
  cache: number;
  cachePrivate: number;
  /** Anonymous and hugetlb pages (at levels with bit 8, a poisoned anonymous page counts here, not as hwpoison). */
  user: number;
  /** Buddy free pages and unaccepted memory. */
  free: number;
  hwpoison: number;
  offline: number;
  /** makedumpfile 1.7.9's extension filter counter; always 0 here. */
  extension: number;
  /** original - excluded. */
  remaining: number;
  /** total - original. */
  memoryHole: number;
  /** max_mapnr. */
  total: number;
}

export interface ReportSource {
  classMap: Uint8Array;
  maxPfn: number;
  inDump: PfnRange[];
  originalPages: number;
  zeroScanLevels?: readonly number[];
}

/** The last histogram of each class map, with the pfn ranges it was counted over (a cyclic view has other ranges). */
const histograms = new WeakMap<Uint8Array, { inDump: PfnRange[]; counts: Float64Array }>();

/** Count of each class byte over the in-dump pfns (distinct pfns, as the 2nd bitmap has one bit per pfn). */
function histogram(src: ReportSource): Float64Array {
  const cached = histograms.get(src.classMap);
  if (cached?.inDump === src.inDump) return cached.counts;
  const counts = countClasses(src.classMap, src.inDump);
  histograms.set(src.classMap, { inDump: src.inDump, counts });
  return counts;
}

/** Count of each class byte over `ranges` of `map`. */
function countClasses(map: Uint8Array, ranges: readonly PfnRange[]): Float64Array {
  // Four tables, so that runs of one class (free memory is long runs of one code) do not wait on their own increments.
  const tables = [0, 1, 2, 3].map(() => new Uint32Array(256));
  const [c0, c1, c2, c3] = tables as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  for (const r of ranges) {
    let pfn = r.start;
    for (; pfn + 4 <= r.end; pfn += 4) {
      c0[map[pfn]!]!++;
      c1[map[pfn + 1]!]!++;
      c2[map[pfn + 2]!]!++;
      c3[map[pfn + 3]!]!++;
    }
    for (; pfn < r.end; pfn++) c0[map[pfn]!]!++;
  }
  return Float64Array.from(c0, (n, b) => n + c1[b]! + c2[b]! + c3[b]!);
}

/** Forgets the cached histogram of a class map (call after changing its bytes). */
export function invalidateReportCache(classMap: Uint8Array): void {
  histograms.delete(classMap);
}

/** The report makedumpfile prints for this dump at `level` (kdump-compressed output; see notes in the README of fixtures). */
export function reportForLevel(src: ReportSource, level: number): PageReport {
  checkZeroScanned(src, level);
  return reportFromCounts(level, src.originalPages, byOutcome(histogram(src), level), src.maxPfn);
}

/**
 * The same report over pfns [start, end) only: page frames in the dump there (each once, unlike the whole dump's
 * "Original pages"), what the level excludes of them, and the rest of the range as its hole.
 */
export function reportForRange(src: ReportSource, level: number, start: number, end: number): PageReport {
  checkZeroScanned(src, level);
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= src.maxPfn))
    throw new VmsieveError('E_USAGE', `the pfn range ${start}-${end} is not inside the dump's 0-${src.maxPfn}`);
  const ranges = src.inDump.map((r) => ({ start: Math.max(r.start, start), end: Math.min(r.end, end) })).filter((r) => r.start < r.end);
  const original = ranges.reduce((n, r) => n + r.end - r.start, 0);
  return reportFromCounts(level, original, byOutcome(countClasses(src.classMap, ranges), level), end - start);
}

function checkZeroScanned(src: ReportSource, level: number): void {
  checkLevel(level);
  if (level & 1 && src.zeroScanLevels && !src.zeroScanLevels.includes(level))
    throw new VmsieveError('E_USAGE', `zero pages were not scanned for level ${level} (scanned for ${src.zeroScanLevels.join(', ') || 'none'}): classify with zeroScan including ${level}`);
}

/** Page counts by outcome at `level`, from a class byte histogram. */
function byOutcome(h: Float64Array, level: number): Float64Array {
  const lut = outcomeTable(level);
  const by = new Float64Array(8);
  for (let b = 0; b < 256; b++) if (h[b]) by[lut[b]] += h[b];
  return by;
}

/** print_report()'s arithmetic over per-outcome page counts (`by`, indexed by Outcome). */
function reportFromCounts(level: number, original: number, by: Float64Array, total: number): PageReport {
  const excluded = by[Outcome.Zero] + by[Outcome.Cache] + by[Outcome.CachePrivate] + by[Outcome.User] + by[Outcome.Free] + by[Outcome.Hwpoison] + by[Outcome.Offline];
  return {
    level,
    original,
    excluded,
    zero: by[Outcome.Zero],
    cache: by[Outcome.Cache],
    cachePrivate: by[Outcome.CachePrivate],
    user: by[Outcome.User],
    free: by[Outcome.Free],
    hwpoison: by[Outcome.Hwpoison],
    offline: by[Outcome.Offline],
    extension: 0,
    remaining: original - excluded,
    memoryHole: total - original,
    total,
  };
}

export interface ElfReportSource extends ReportSource {
  loads: readonly LoadSegment[];
  pageSize: number;
  bitmapMode: BitmapMode;
}

/**
 * The report makedumpfile prints when it writes ELF output (-E). With its bitmaps in a file (see BitmapMode) it
 * classifies memory once, like the kdump writers. In cyclic mode write_elf_pages_cyclic() runs the whole
 * exclusion once per PT_LOAD, over a cycle from the PT_LOAD's first pfn (rounded down to 8) to its last
 * (partial pages at either end included), without resetting the counters in between. So pages in two
 * PT_LOADs (kdump's kernel-image segment) are counted twice, a free block or compound page that starts
 * before a PT_LOAD is not seen from inside it, and "Original pages" counts partial pages.
 * Assumes each PT_LOAD fits in one cycle (true unless makedumpfile is short of memory for its bitmaps).
 */
export function elfReportForLevel(src: ElfReportSource, level: number): PageReport {
  checkLevel(level);
  // Its original pages are the 1st bitmap's, as for kdump output: a partial page two PT_LOADs share (riscv64's
  // kexec segments, the second starting mid-page) counts twice.
  if (src.bitmapMode === 'file') return reportForLevel(src, level);
  const lut = outcomeTable(level);
  const headless = headlessOutcomeTable(level);
  const ps = src.pageSize;
  const map = src.classMap;
  const visited = visitedRanges(src.loads, ps, src.maxPfn);
  const inVisited = (pfn: number) => visited.some((r) => r.start <= pfn && pfn < r.end);
  const by = new Float64Array(8);
  let original = 0;
  for (const l of src.loads) {
    let pfnStart = Math.floor(l.physStart / ps);
    let pfnEnd = Math.floor(l.physEnd / ps);
    if (l.physStart % ps) pfnStart++;
    if (l.physEnd % ps) pfnEnd++;
    if (pfnStart >= src.maxPfn) continue;
    pfnEnd = Math.min(pfnEnd, src.maxPfn);
    if (pfnEnd <= pfnStart) continue;
    original += pfnEnd - pfnStart;
    const cycleStart = pfnStart - (pfnStart % 8);
    // Pages covered by a range whose head lies before the cycle are classified on their own.
    let headlessEnd = cycleStart;
    while (headlessEnd < pfnEnd && isRangeCovered(map[headlessEnd])) headlessEnd++;
    for (const r of src.inDump) {
      const a = Math.max(r.start, cycleStart);
      const b = Math.min(r.end, pfnEnd);
      for (let pfn = a; pfn < b; pfn++) {
        const o = (pfn < headlessEnd ? headless : lut)[map[pfn]];
        // exclude_zero_pages_cyclic() reads only pages inside a PT_LOAD's file data (is_in_segs).
        if (o !== Outcome.Zero || inVisited(pfn)) by[o]++;
      }
    }
  }
  return reportFromCounts(level, original, by, src.maxPfn);
}

const hex = (n: number) => `0x${n.toString(16).padStart(16, '0')}`;

export interface FormatReportOptions {
  /** 'upstream' (1.7.9, default) prints the "Extension filter pages" line; '1.7.2' omits it. */
  style?: 'upstream' | '1.7.2';
  /** Printed as "Write bytes" when known (after writing a dump). */
  writeBytes?: number;
}

/** The text makedumpfile's print_report() writes, line for line (hex counts, the shrink percentage truncated). */
export function formatReport(r: PageReport, opts: FormatReportOptions = {}): string {
  const lines = [
    '',
    `Original pages  : ${hex(r.original)}`,
    `  Excluded pages   : ${hex(r.excluded)}`,
    `    Pages filled with zero  : ${hex(r.zero)}`,
    `    Non-private cache pages : ${hex(r.cache)}`,
    `    Private cache pages     : ${hex(r.cachePrivate)}`,
    `    User process data pages : ${hex(r.user)}`,
    `    Free pages              : ${hex(r.free)}`,
    `    Hwpoison pages          : ${hex(r.hwpoison)}`,
    `    Offline pages           : ${hex(r.offline)}`,
  ];
  if ((opts.style ?? 'upstream') === 'upstream') lines.push(`    Extension filter pages  : ${hex(r.extension)}`);
  lines.push(`  Remaining pages  : ${hex(r.remaining)}`);
  if (r.original !== 0) lines.push(`  (The number of pages is reduced to ${Math.floor((r.remaining * 100) / r.original)}%.)`);
  lines.push(`Memory Hole     : ${hex(r.memoryHole)}`);
  lines.push('--------------------------------------------------');
  lines.push(`Total pages     : ${hex(r.total)}`);
  if (opts.writeBytes !== undefined) lines.push(`Write bytes     : ${opts.writeBytes}`);
  return lines.join('\n') + '\n';
}
