import { CODECS, type CodecId } from '../codecs/registry.js';
import { classifyDump, type ClassifyResult } from '../filter/classify-dump.js';
import { CODE_MASK, Outcome, outcomeTable, ZERO_BIT } from '../filter/dump-level.js';
import { reportForLevel } from '../filter/report.js';
import type { Dump, PfnRange } from '../model/dump.js';
import { PT_LOAD } from '../model/elf-constants.js';
import { bitmapFileLookup } from '../formats/elf-out/bitmap-file-lookup.js';
import { assignOffsets, elfNoteOffset, planElfLoads, type Phdr } from '../formats/elf-out/write-elf.js';
import { isKdumpDump, type KdumpDump } from '../formats/kdump/read-kdump.js';
import { bitRuns } from '../formats/selection.js';
import { kdumpLayoutFor } from '../formats/kdump/kdump-plan.js';
import type { PipelineInput } from './pipeline-input.js';
import type { ComputePool } from '../workers/pool.js';
import type { PfnRun } from '../model/page-extents.js';
import { taskPages } from './task-pages.js';
import { mapOrdered } from '../workers/ordered.js';
import { pagesIn } from '../workers/page-compute.js';
import { ProgressTracker, type ProgressCallback } from './progress.js';

import { codecOutput, OUTPUT_KINDS, type OutputKind } from './outputs.js';

export { OUTPUT_KINDS, type OutputKind };

export interface LevelSizes {
  level: number;
  /**
   * A kdump-compressed input lacks what its own level left out, so a level that does not include the input's level
   * gives what this one gives (the sizes are this level's, set when it differs from `level`).
   */
  sameAs?: number;
  /** makedumpfile's "Remaining pages" at this level. */
  pages: number;
  /** Size in bytes of the file each output would have (exact unless listed in `estimatedKinds`). */
  bytes: Record<OutputKind, number>;
}

export interface AnalyseResult {
  levels: LevelSizes[];
  /** True when anything was extrapolated from a sample (see `estimatedKinds`, `pagesEstimated`). */
  estimated: boolean;
  /** The outputs whose sizes were extrapolated from a sample; empty when every page was measured with every codec. */
  estimatedKinds: OutputKind[];
  /** True when zero pages, and so page counts, were extrapolated (only some windows were read). */
  pagesEstimated: boolean;
  /** About one non-zero page in this many was compressed (1: all of them). */
  measuredEvery: number;
  /** The classification, with zero bits for every page read. */
  classified: ClassifyResult;
  /** A kdump-compressed input's own dump level (undefined for an ELF vmcore, or a kdump file that does not record it). */
  inputLevel?: number;
  /** Pages of the input's memory that a kdump-compressed input does not hold (its level left them out). */
  lacking: number;
}

export interface AnalyseOptions {
  /** Pages per window sent to a worker (at most, and by default, the pool's windowPages). */
  windowPages?: number;
  /**
   * Read only one window in this many (default 1: every page). The fastest first answer: page classes stay exact, zero
   * pages and every size are extrapolated.
   */
  sampleEvery?: number;
  /**
   * Instead of sampleEvery: read at most this many windows, and at most 1 in 64, spread over the whole dump (a first
   * answer in about constant time, however big the dump).
   */
  sampleWindows?: number;
  /**
   * Read and zero-scan every page, but compress only about one non-zero page in this many with LZO and snappy, and one
   * in 4× as many with zlib and zstd too (default 1: all), with at least MIN_MEASURED_BYTES of pages. Page counts,
   * kdump-none and ELF sizes stay exact; compressed sizes are extrapolated per page class.
   */
  measureEvery?: number;
  /**
   * Instead of measureEvery: compress about this many bytes of pages, however big the dump and its pages (the pass
   * then runs at read speed).
   */
  measureBytes?: number;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/**
 * Sampling compresses every sampled page with the cheap codecs and one in COSTLY_SHARE of them with the costly ones
 * too; a costly codec's size is then estimated from the cheap LZO size of the same class (a ratio estimate: per page
 * the codecs' sizes go together, so the ratio needs far fewer pages than the size itself).
 */
const MEASURE_ORDER: readonly CodecId[] = ['lzo', 'snappy', 'zlib', 'zstd'];
const CHEAP = 2;
const COSTLY_SHARE = 4;
/**
 * Per class byte: pages seen, pages measured with the cheap codecs, pages measured with all, LZO bytes of the pages
 * measured with all, then stored bytes under each codec (in CODECS order) of the pages it measured.
 */
const PAGES = 0;
const MEASURED = 1;
const MEASURED_ALL = 2;
const LZO_OF_ALL = 3;
const SIZE = 4;
const SLOTS = SIZE + CODECS.length;
const LZO = SIZE + CODECS.indexOf('lzo');
/** Each codec's place (in CODECS order) in MEASURE_ORDER: a page measured with n codecs has sizes for ranks below n. */
const MEASURE_RANK = CODECS.map((c) => MEASURE_ORDER.indexOf(c));
const isCheap = (c: CodecId) => MEASURE_ORDER.indexOf(c) < CHEAP;
/**
 * measureEvery never gives the cheap codecs fewer bytes of pages than this (16384 pages of 4 KiB, 1024 of 64 KiB; small
 * dumps are measured more densely: the sample decides the error). Bytes, as a large page averages over as much content
 * as several small ones, and the sample costs the same time whatever the page size.
 */
const MIN_MEASURED_BYTES = 64 << 20;
/** sampleWindows never reads more than 1 window in this many (a denser sample would cost as much as reading it all). */
const MIN_SAMPLE_EVERY = 64;
const SAMPLE_TASK_BYTES = 4 << 20;
/** Small windows (16 pages of 4 KiB, one of 64 KiB) spread the sample over the whole dump; neighbouring pages are too alike to sample in bulk. */
const SAMPLE_WINDOW_BYTES = 64 << 10;
const CODEC_KINDS = CODECS.map(codecOutput);

/** One compute task: runs of pages (one run, or many sampled windows) read and measured together. */
interface Window {
  runs: PfnRun[];
  count: number;
}

/**
 * Every window of `windowPages`, or one in `sampleEvery`, grouped into tasks of at most `taskLimit` pages (sampled
 * windows into smaller tasks, so that the few there are still spread over every worker).
 */
function* windows(readable: readonly PfnRange[], windowPages: number, sampleEvery: number, taskLimit: number, pageSize: number): Generator<Window> {
  const taskPages = sampleEvery > 1 ? Math.min(taskLimit, pagesIn(SAMPLE_TASK_BYTES, pageSize)) : taskLimit;
  let index = 0;
  let task: Window = { runs: [], count: 0 };
  for (const r of readable)
    for (let pfn = r.start; pfn < r.end; pfn += windowPages) {
      if (index++ % sampleEvery !== 0) continue;
      const count = Math.min(windowPages, r.end - pfn);
      if (task.count + count > taskPages) {
        yield task;
        task = { runs: [], count: 0 };
      }
      task.runs.push([pfn, pfn + count]);
      task.count += count;
    }
  if (task.count > 0) yield task;
}

function windowCount(readable: readonly PfnRange[], windowPages: number): number {
  return readable.reduce((n, r) => n + Math.ceil((r.end - r.start) / windowPages), 0);
}

/**
 * The pages analyse can read: every page with data, less (for a kdump-compressed input) those its 2nd bitmap left
 * out. A page the input lacks is never measured, so it weighs nothing at any level.
 */
export function readableRanges(dump: Dump, classified: Pick<ClassifyResult, 'withData'>): PfnRange[] {
  if (!isKdumpDump(dump)) return classified.withData;
  const out: PfnRange[] = [];
  for (const r of classified.withData) for (const [start, end] of bitRuns(dump.bitmap2, r.start, Math.min(r.end, dump.maxPfn))) out.push({ start, end });
  return out;
}

/**
 * A page a kdump-compressed input lacks was left out by the input's level; one whose class that level keeps was left
 * out as a zero page (makedumpfile's class and ours differ there), so it gets the zero bit and every level that
 * includes the input's level leaves it out too. Returns how many pages the input lacks, and how many got the bit.
 */
function markLacking(classified: ClassifyResult, readable: readonly PfnRange[], inputLevel: number): { lacking: number; marked: number } {
  const map = classified.classMap;
  const keptByClass = outcomeTable(inputLevel & ~1);
  let lacking = 0;
  let marked = 0;
  let i = 0;
  for (const r of classified.withData)
    for (let pfn = r.start; pfn < r.end; ) {
      while (i < readable.length && readable[i]!.end <= pfn) i++;
      const next = i < readable.length ? readable[i]! : undefined;
      if (next && next.start <= pfn) {
        pfn = Math.min(r.end, next.end);
        continue;
      }
      const end = Math.min(r.end, next ? next.start : r.end);
      for (; pfn < end; pfn++) {
        lacking++;
        if (keptByClass[map[pfn]!] === Outcome.Kept) {
          map[pfn] |= ZERO_BIT;
          marked++;
        }
      }
    }
  return { lacking, marked };
}


/**
 * How many codecs of MEASURE_ORDER measure each page of a task: all of them for about one page in
 * measureEvery × COSTLY_SHARE, the cheap ones for about one in measureEvery, none for the rest. A hash of the pfn
 * decides, so the sample is spread evenly and has no stride.
 */
function sampleMask(w: Window, measureEvery: number): Uint8Array | undefined {
  if (measureEvery <= 1) return undefined;
  const cheap = 2 ** 32 / measureEvery;
  const all = cheap / COSTLY_SHARE;
  const mask = new Uint8Array(w.count);
  let i = 0;
  for (const [start, end] of w.runs)
    for (let pfn = start; pfn < end; pfn++) {
      const h = Math.imul(pfn, 0x9e3779b1) >>> 0;
      mask[i++] = h < all ? MEASURE_ORDER.length : h < cheap ? CHEAP : 0;
    }
  return mask;
}

/**
 * Windows sampled: scales each class's pages seen (zero and not) up to its exact count from the class map; a class
 * never seen gets the proportions of all pages seen.
 */
function scaleWindows(sums: Float64Array, classified: ClassifyResult, readable: readonly PfnRange[]): void {
  const exact = new Float64Array(128);
  for (const r of readable) for (let pfn = r.start; pfn < r.end; pfn++) exact[classified.classMap[pfn]! & CODE_MASK]++;
  const all = new Float64Array(SLOTS);
  for (let b = 0; b < 256; b++) for (let j = 0; j < SLOTS; j++) all[j] += sums[b * SLOTS + j]!;
  for (let c = 0; c < 128; c++) {
    if (exact[c] === 0) continue;
    const seen = sums[c * SLOTS]! + sums[(c | ZERO_BIT) * SLOTS]!;
    if (seen === 0) {
      const scale = exact[c]! / Math.max(1, all[0]!);
      for (let j = 0; j < SLOTS; j++) sums[c * SLOTS + j] = all[j]! * scale;
      sums[c * SLOTS + MEASURED] = sums[c * SLOTS + MEASURED_ALL] = sums[c * SLOTS]!; // already averages over every page seen
      continue;
    }
    const scale = exact[c]! / seen;
    for (const b of [c, c | ZERO_BIT]) for (let j = 0; j < SLOTS; j++) sums[b * SLOTS + j]! *= scale;
  }
}

/**
 * Pages measured: each class byte's cheap-codec sizes are scaled from the pages measured to all its non-zero pages;
 * its costly-codec sizes follow from its scaled LZO size and the costly:LZO ratio on the pages measured with both.
 * A class with no page measured takes the averages over all classes.
 */
function scaleMeasured(sums: Float64Array): void {
  const all = new Float64Array(SLOTS);
  for (let b = 0; b < 128; b++) for (let j = 1; j < SLOTS; j++) all[j] += sums[b * SLOTS + j]!;
  const perPage = (j: number) => all[j]! / Math.max(1, all[MEASURED]!);
  // No page measured with every codec at all (a dump of almost only zero pages): take the costly sizes as LZO's.
  const overallRatio = (j: number) => (all[LZO_OF_ALL]! > 0 ? all[j]! / all[LZO_OF_ALL]! : 1);
  for (let b = 0; b < 128; b++) {
    const at = b * SLOTS;
    const pages = sums[at + PAGES]!;
    if (pages === 0 || (sums[at + MEASURED]! === pages && sums[at + MEASURED_ALL]! === pages)) continue;
    const measured = sums[at + MEASURED]!;
    const lzo = measured > 0 ? (sums[at + LZO]! * pages) / measured : perPage(LZO) * pages;
    const lzoOfAll = sums[at + LZO_OF_ALL]!;
    CODECS.forEach((c, k) => {
      const j = SIZE + k;
      if (isCheap(c)) sums[at + j] = measured > 0 ? (sums[at + j]! * pages) / measured : perPage(j) * pages;
      else sums[at + j] = lzo * (lzoOfAll > 0 ? sums[at + j]! / lzoOfAll : overallRatio(j));
    });
    sums[at + MEASURED] = pages;
    sums[at + MEASURED_ALL] = pages;
  }
}

/**
 * One pass over the dump gives the size of every output at every dump level: a page's class does not depend on the
 * level, so per-class sums of each codec's stored sizes (measured in the workers) decide every kdump size; ELF sizes
 * follow from makedumpfile's segment plan per level. Exact unless asked to sample (sampleEvery, measureEvery).
 */
export async function analyseDump(
  input: PipelineInput,
  pool: ComputePool,
  opts: AnalyseOptions = {},
): Promise<AnalyseResult> {
  const { dump } = input;
  const ps = dump.pageSize;
  const classified = input.classified ?? (await classifyDump(dump, input.km, input.kernels, { zeroScan: false, pool, signal: opts.signal }));
  const map = classified.classMap;
  const readable = readableRanges(dump, classified);
  const inputLevel = isKdumpDump(dump) ? inputDumpLevel(dump) : undefined;
  let lacking = 0;
  if (isKdumpDump(dump)) {
    const marked = markLacking(classified, readable, inputLevel ?? 31);
    lacking = marked.lacking;
    if (marked.marked > 0)
      classified.warnings.push({
        code: 'W_LACKING_KEPT',
        message: `${dump.source.name} lacks ${marked.marked} page${marked.marked > 1 ? 's' : ''} that dump level ${inputLevel ?? 31} keeps by class; they count as zero pages it left out.`,
      });
  }
  const sums = new Float64Array(256 * SLOTS);
  const total = readable.reduce((n, r) => n + (r.end - r.start) * ps, 0);
  const windowPages = Math.min(pool.windowPages, opts.windowPages ?? ((opts.sampleEvery ?? 1) > 1 || opts.sampleWindows ? pagesIn(SAMPLE_WINDOW_BYTES, ps) : pool.windowPages));
  const sampleEvery = Math.max(1, Math.floor(opts.sampleWindows ? Math.max(MIN_SAMPLE_EVERY, windowCount(readable, windowPages) / opts.sampleWindows) : (opts.sampleEvery ?? 1)));
  const pagesWithData = total / ps;
  const requested = opts.measureBytes ? total / opts.measureBytes : (opts.measureEvery ?? 1);
  const measureEvery = Math.max(1, Math.floor(Math.min(requested, pagesWithData / pagesIn(MIN_MEASURED_BYTES, ps))));
  const pagesEstimated = sampleEvery > 1;
  const sizesEstimated = pagesEstimated || measureEvery > 1;
  const progress = new ProgressTracker('analyse', total / sampleEvery, opts.onProgress);
  const measured = mapOrdered(
    windows(readable, windowPages, sampleEvery, pool.windowPages, ps),
    pool.size * 2,
    async (w) => {
      const pages = await taskPages(dump, w.runs, w.count);
      const sample = sampleMask(w, measureEvery);
      return { w, sample, m: await pool.run((api) => api.measure(pages, MEASURE_ORDER, sample)) };
    },
    opts.signal,
  );
  for await (const { w, sample, m } of measured) {
    const sizes = CODECS.map((c) => m.sizes[c]!);
    let i = 0;
    for (const [start, end] of w.runs)
      for (let pfn = start; pfn < end; pfn++, i++) {
        if (m.zero[i]) map[pfn] |= ZERO_BIT;
        const at = map[pfn]! * SLOTS;
        sums[at + PAGES]++;
        const codecs = m.zero[i] ? 0 : sample ? sample[i]! : MEASURE_ORDER.length;
        if (codecs === 0) continue;
        sums[at + MEASURED]++;
        if (codecs === MEASURE_ORDER.length) {
          sums[at + MEASURED_ALL]++;
          sums[at + LZO_OF_ALL] += m.sizes.lzo![i]! & 0x7fff_ffff;
        }
        for (let k = 0; k < CODECS.length; k++) if (MEASURE_RANK[k]! < codecs) sums[at + SIZE + k] += sizes[k]![i]! & 0x7fff_ffff;
      }
    progress.advance(w.count * ps);
  }
  const seen = sums.slice();
  if (pagesEstimated) scaleWindows(sums, classified, readable);
  else classified.zeroScanLevels = Array.from({ length: 16 }, (_, i) => 2 * i + 1);
  if (sizesEstimated) scaleMeasured(sums);
  const zeroPageSizes = await measureZeroPage(pool, ps);

  const noteSize = dump.noteSegment?.fileSize ?? 0;
  const phdrs = sourcePhdrs(dump);
  const inData = new Uint8Array(classified.maxPfn);
  for (const r of readable) inData.fill(1, r.start, r.end);
  const levels: LevelSizes[] = [];
  for (let level = 0; level < 32; level++) {
    const kept = outcomeTable(level & ~1);
    const excludeZero = (level & 1) !== 0;
    let descriptors = 0;
    let zeroKept = 0;
    let zeroKeptSeen = 0;
    const data = new Float64Array(1 + CODECS.length);
    for (let b = 0; b < 256; b++) {
      const n = sums[b * SLOTS]!;
      if (n === 0 || kept[b & CODE_MASK] !== Outcome.Kept) continue;
      descriptors += n;
      if (b & ZERO_BIT) {
        zeroKept += n;
        zeroKeptSeen += seen[b * SLOTS]!;
        if (excludeZero) continue;
        data[0] += n * ps;
        CODECS.forEach((c, j) => (data[1 + j] += n * zeroPageSizes[c]));
      } else {
        data[0] += n * ps;
        for (let j = 0; j < CODECS.length; j++) data[1 + j] += sums[b * SLOTS + SIZE + j]!;
      }
    }
    const base = kdumpLayoutFor(ps, noteSize, classified.maxPfn, descriptors).dataOffset + (excludeZero ? ps : 0);
    const bytes = { 'kdump-none': base + data[0]!, elf: elfSize(dump, classified, inData, phdrs, level, noteSize) } as Record<OutputKind, number>;
    CODECS.forEach((c, j) => (bytes[codecOutput(c)] = base + data[1 + j]!));
    const pages = pagesEstimated ? reportForLevel(classified, level & ~1).remaining - (excludeZero ? Math.round(zeroKept) : 0) : reportForLevel(classified, level).remaining;
    if (pagesEstimated && excludeZero) bytes.elf -= (zeroKept - zeroKeptSeen) * ps; // zero pages never read are not in the ELF plan; most lie in runs long enough to be cut out
    if (sizesEstimated) for (const k of OUTPUT_KINDS) bytes[k] = Math.round(bytes[k]);
    levels.push({ level, pages, bytes });
  }
  if (inputLevel !== undefined)
    for (const l of levels) {
      const as = l.level | inputLevel;
      if (as !== l.level) levels[l.level] = { ...levels[as]!, level: l.level, sameAs: as };
    }
  const estimatedKinds: OutputKind[] = pagesEstimated ? [...OUTPUT_KINDS] : measureEvery > 1 ? CODEC_KINDS : [];
  return { levels, estimated: estimatedKinds.length > 0, estimatedKinds, pagesEstimated, measuredEvery: measureEvery, classified, inputLevel, lacking };
}

/** The level a kdump-compressed input was filtered at, when its sub header records a valid one. */
function inputDumpLevel(dump: KdumpDump): number | undefined {
  const level = dump.subHeader?.dumpLevel;
  return level !== undefined && Number.isInteger(level) && level >= 0 && level <= 31 ? level : undefined;
}

/** What one all-zero page costs under each codec (zero pages are stored like any page when bit 1 is off). */
async function measureZeroPage(pool: ComputePool, ps: number): Promise<Record<CodecId, number>> {
  const out = {} as Record<CodecId, number>;
  for (const c of CODECS) {
    const r = await pool.run((api) => api.encode(new ArrayBuffer(ps), c, Uint8Array.of(1)));
    out[c] = r.sizes[0] & 0x7fff_ffff;
  }
  return out;
}

function sourcePhdrs(dump: Dump): Phdr[] {
  return dump.loads.map((l) => ({
    type: PT_LOAD,
    flags: l.flags,
    offset: l.fileOffset,
    vaddr: l.virtStart,
    paddr: BigInt(l.physStart),
    filesz: l.fileSize,
    memsz: l.physEnd - l.physStart,
    align: 0n,
  }));
}

/** makedumpfile's -E layout at a level: header, program headers, notes, then each planned segment's file bytes. */
function elfSize(dump: Dump, c: ClassifyResult, inData: Uint8Array, phdrs: Phdr[], level: number, noteSize: number): number {
  const table = outcomeTable(level);
  const keep = new Uint8Array(256).map((_, b) => (table[b] === Outcome.Kept ? 1 : 0));
  const map = c.classMap;
  const maxPfn = c.maxPfn;
  const past = bitmapFileLookup(phdrs, dump.pageSize, maxPfn, dump.maxPfnFromLoads);
  const kept = (pfn: number | undefined) => pfn !== undefined && pfn < maxPfn && (inData[pfn]! & keep[map[pfn]!]!) === 1;
  const dumpable = (pfn: number) => kept(pfn < past.from ? pfn : past.bitFor(pfn));
  // The plan asks for runs: find their ends in a tight loop over the class map, not a call per page.
  const runEnd = (pfn: number, limit: number) => {
    if (pfn >= past.from) return pfn + 1;
    if (pfn >= maxPfn) return Math.min(limit, past.from);
    const d = inData[pfn]! & keep[map[pfn]!]!;
    const stop = Math.min(limit, maxPfn);
    let end = pfn + 1;
    while (end < stop && (inData[end]! & keep[map[end]!]!) === d) end++;
    return end === maxPfn && d === 0 ? Math.min(limit, past.from) : end;
  };
  const loads = planElfLoads(phdrs, dump.pageSize, dumpable, runEnd);
  const numPhdrs = loads.length + (dump.noteSegment ? 1 : 0);
  return assignOffsets(loads, elfNoteOffset(numPhdrs) + noteSize);
}
