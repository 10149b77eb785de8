import { VmsieveError } from '../errors.js';
import { outcomeTable } from './dump-level.js';
import type { PfnRange } from '../model/dump.js';

/**
 * A picture-sized summary of a class map: the pfn range cut into buckets, with page counts per class in each.
 * Small (buckets × 9 counts) and transferable, so a worker can hand it to the page.
 */

/**
 * The classes counted, in index order. In-dump pages get makedumpfile's outcome at dump level 31 (indices 0..7 are
 * the Outcome values, so a level-31 outcome table maps a class byte straight to its slot); pages outside the dump
 * (holes, and pfns past every PT_LOAD up to max_mapnr) get the last slot.
 */
export const OVERVIEW_CLASSES = ['kept', 'zero', 'cache', 'cachePrivate', 'user', 'free', 'hwpoison', 'offline', 'notInDump'] as const;
export type OverviewClass = (typeof OVERVIEW_CLASSES)[number];
export const OVERVIEW_CLASS_COUNT = OVERVIEW_CLASSES.length;
const NOT_IN_DUMP = OVERVIEW_CLASSES.indexOf('notInDump');

export interface ClassOverview {
  /** makedumpfile's max_mapnr: the buckets cover pfns 0 .. maxPfn-1. */
  maxPfn: number;
  pageSize: number;
  /** Pfns per bucket, a power of two so every bucket starts at an aligned physical address. The last bucket may be shorter. */
  pagesPerBucket: number;
  buckets: number;
  /** counts[b * OVERVIEW_CLASS_COUNT + c]: pages of class OVERVIEW_CLASSES[c] in bucket b. */
  counts: Uint32Array<ArrayBuffer>;
  /** Pages of each class over the whole range, indexed like OVERVIEW_CLASSES. */
  totals: number[];
  /** False when zero pages were not scanned for level 31: then no page is counted as zero (they are among the kept). */
  zeroKnown: boolean;
}

/** What the overview needs of a ClassifyResult (or of the result an analysis leaves behind). */
export interface ClassOverviewSource {
  classMap: Uint8Array;
  maxPfn: number;
  pageSize: number;
  /** Merged, non-overlapping in-dump pfn ranges (makedumpfile's 1st bitmap). */
  inDump: readonly PfnRange[];
  /** Levels whose zero bits are complete. */
  zeroScanLevels: readonly number[];
}

/** The smallest power of two p with ceil(maxPfn / p) <= maxBuckets. */
function pagesPerBucketFor(maxPfn: number, maxBuckets: number): number {
  let p = 1;
  while (Math.ceil(maxPfn / p) > maxBuckets) p *= 2;
  return p;
}

/** Counts the pages of each class in at most `maxBuckets` equal, aligned buckets over pfns 0 .. maxPfn-1. */
export function classOverview(src: ClassOverviewSource, maxBuckets: number): ClassOverview {
  if (!Number.isInteger(maxBuckets) || maxBuckets < 1) throw new VmsieveError('E_USAGE', `the number of buckets must be a positive integer, not ${maxBuckets}`);
  const { classMap, maxPfn } = src;
  const zeroKnown = src.zeroScanLevels.includes(31);
  // Level 30 excludes the same classes as 31 but ignores the zero bit, whose value is then partial or absent.
  const lut = outcomeTable(zeroKnown ? 31 : 30);
  const pagesPerBucket = pagesPerBucketFor(maxPfn, maxBuckets);
  const buckets = Math.ceil(maxPfn / pagesPerBucket);
  const counts = new Uint32Array(buckets * OVERVIEW_CLASS_COUNT);

  for (let b = 0; b < buckets; b++) counts[b * OVERVIEW_CLASS_COUNT + NOT_IN_DUMP] = Math.min(pagesPerBucket, maxPfn - b * pagesPerBucket);
  for (const r of src.inDump) {
    const end = Math.min(r.end, maxPfn);
    let pfn = Math.max(0, r.start);
    while (pfn < end) {
      const b = Math.floor(pfn / pagesPerBucket);
      const stop = Math.min(end, (b + 1) * pagesPerBucket);
      const row = b * OVERVIEW_CLASS_COUNT;
      counts[row + NOT_IN_DUMP] -= stop - pfn;
      for (; pfn < stop; pfn++) counts[row + lut[classMap[pfn]]]++;
    }
  }

  const totals = new Array<number>(OVERVIEW_CLASS_COUNT).fill(0);
  for (let i = 0; i < counts.length; i++) totals[i % OVERVIEW_CLASS_COUNT] += counts[i];
  return { maxPfn, pageSize: src.pageSize, pagesPerBucket, buckets, counts, totals, zeroKnown };
}

/** The pfns bucket `b` covers, [start, end). */
export function bucketPfns(o: ClassOverview, b: number): PfnRange {
  const start = b * o.pagesPerBucket;
  return { start, end: Math.min(o.maxPfn, start + o.pagesPerBucket) };
}

/** Bucket `b`'s page counts, indexed like OVERVIEW_CLASSES (a view, not a copy). */
export function bucketCounts(o: ClassOverview, b: number): Uint32Array {
  return o.counts.subarray(b * OVERVIEW_CLASS_COUNT, (b + 1) * OVERVIEW_CLASS_COUNT);
}

