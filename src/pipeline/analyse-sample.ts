import { CODECS, type CodecId } from '../codecs/registry.js';
import { ZERO_BIT } from '../filter/dump-level.js';
import type { Dump, PfnRange } from '../model/dump.js';
import { taskPages, type PfnRun } from '../model/page-extents.js';
import { mapOrdered } from '../workers/ordered.js';
import { pagesIn } from '../workers/page-compute.js';
import type { ComputePool } from '../workers/pool.js';
import { CHEAP, COSTLY_SHARE, LZO_OF_ALL, MEASURE_ORDER, MEASURE_RANK, MEASURED, MEASURED_ALL, newClassSums, PAGES, SIZE, SLOTS, type ClassSums } from './class-sums.js';
import { ProgressTracker, type ProgressCallback } from './progress.js';

/**
 * measureEvery never gives the cheap codecs fewer bytes of pages than this (16384 pages of 4 KiB, 1024 of 64 KiB; small
 * dumps are measured more densely: the sample decides the error). Bytes, as a large page averages over as much content
 * as several small ones, and the sample costs the same time whatever the page size.
 */
const MIN_MEASURED_BYTES = 64 << 20;
/**
 * Nor fewer pages than this: with 64 KiB pages, 64 MiB is too few pages to measure a dump whose memory is mostly zero
 * (a ppc64le dump's -d 1 sizes came out 5.5% high from 1024; 3% is what a first answer may be off by).
 */
const MIN_MEASURED_PAGES = 8192;
/** sampleWindows never reads more than 1 window in this many (a denser sample would cost as much as reading it all). */
const MIN_SAMPLE_EVERY = 64;
const SAMPLE_TASK_BYTES = 4 << 20;
/** Small windows (16 pages of 4 KiB, one of 64 KiB) spread the sample over the whole dump; neighbouring pages are too alike to sample in bulk. */
const SAMPLE_WINDOW_BYTES = 64 << 10;

/** How densely an analyse pass reads and measures (the exact answer by default). */
export interface SampleOptions {
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
}

/** Which pages an analyse pass reads and which of them it compresses. */
export interface SamplePlan {
  /** Pages per window. */
  windowPages: number;
  /** One window in this many is read (1: every page). */
  sampleEvery: number;
  /** About one non-zero page read in this many is compressed (1: all of them). */
  measureEvery: number;
}

/** The plan for `opts` (see AnalyseOptions) over the pages of `readable`. */
export function samplePlan(
  readable: readonly PfnRange[],
  ps: number,
  poolWindowPages: number,
  opts: SampleOptions,
): SamplePlan {
  const total = readable.reduce((n, r) => n + (r.end - r.start) * ps, 0);
  const windowPages = Math.min(poolWindowPages, opts.windowPages ?? ((opts.sampleEvery ?? 1) > 1 || opts.sampleWindows ? pagesIn(SAMPLE_WINDOW_BYTES, ps) : poolWindowPages));
  const sampleEvery = Math.max(1, Math.floor(opts.sampleWindows ? Math.max(MIN_SAMPLE_EVERY, windowCount(readable, windowPages) / opts.sampleWindows) : (opts.sampleEvery ?? 1)));
  const pagesWithData = total / ps;
  const requested = opts.measureBytes ? total / opts.measureBytes : (opts.measureEvery ?? 1);
  const measureEvery = Math.max(1, Math.floor(Math.min(requested, pagesWithData / Math.max(pagesIn(MIN_MEASURED_BYTES, ps), MIN_MEASURED_PAGES))));
  return { windowPages, sampleEvery, measureEvery };
}

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
 * The measuring pass: reads the windows of `plan` in the pool's workers, which find the zero pages (their zero bit is
 * set in `classMap`) and compress the pages measured. Returns the per-class sums over the pages read.
 */
export async function measureClasses(
  dump: Dump,
  pool: ComputePool,
  classMap: Uint8Array,
  readable: readonly PfnRange[],
  { windowPages, sampleEvery, measureEvery }: SamplePlan,
  opts: { signal?: AbortSignal; onProgress?: ProgressCallback },
): Promise<ClassSums> {
  const ps = dump.pageSize;
  const sums = newClassSums();
  const total = readable.reduce((n, r) => n + (r.end - r.start) * ps, 0);
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
        if (m.zero[i]) classMap[pfn] |= ZERO_BIT;
        const at = classMap[pfn]! * SLOTS;
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
  return sums;
}

/** What one all-zero page costs under each codec (zero pages are stored like any page when bit 1 is off). */
export async function measureZeroPage(pool: ComputePool, ps: number): Promise<Record<CodecId, number>> {
  const out = {} as Record<CodecId, number>;
  for (const c of CODECS) {
    const r = await pool.run((api) => api.encode(new ArrayBuffer(ps), c, Uint8Array.of(1)));
    out[c] = r.sizes[0] & 0x7fff_ffff;
  }
  return out;
}

