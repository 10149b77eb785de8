import { VmsieveError } from '../errors.js';
import { OVERVIEW_CLASSES } from './class-overview.js';
import { checkLevel, Outcome, outcomeTable } from './dump-level.js';
import type { PfnRange } from '../model/dump.js';

/**
 * What one dump level keeps and drops, summarised for a picture of any part of memory at any zoom. A base summary
 * (counts per BASE_PAGES pfns) is made once per level in one pass over the class map; a view coarser than the base
 * adds base buckets up, a finer one (at most maxBuckets × BASE_PAGES pfns) counts its pfns directly, so no view costs
 * more than a pass over a few million class bytes, whatever the size of the dump.
 */

/** The in-dump classes (a page's class at level 31), each kept or dropped at the level. */
const IN_DUMP = OVERVIEW_CLASSES.length - 1;
/** Slots per bucket: IN_DUMP kept classes, IN_DUMP dropped classes, pages outside the dump, pages a kdump input lacks. */
export const LEVEL_SLOTS = 2 * IN_DUMP + 2;
export const DROPPED = IN_DUMP;
export const NOT_IN_DUMP_SLOT = 2 * IN_DUMP;
export const LACKING_SLOT = 2 * IN_DUMP + 1;
/** Pfns per bucket of the base summary. */
export const BASE_PAGES = 1024;

export interface LevelSource {
  classMap: Uint8Array;
  maxPfn: number;
  pageSize: number;
  inDump: readonly PfnRange[];
  zeroScanLevels: readonly number[];
  /** A kdump-compressed input's 2nd bitmap: pages whose bit is clear are not in the file. */
  present?: Uint8Array;
}

export interface LevelBase {
  level: number;
  /** False when the zero bits are not complete for this level: zero pages then count as kept (they are not known). */
  zeroKnown: boolean;
  counts: Uint32Array;
  /** Pages per slot over the whole dump. */
  totals: number[];
}

export interface LevelView {
  level: number;
  zeroKnown: boolean;
  maxPfn: number;
  pageSize: number;
  /** The view's first pfn (a multiple of pagesPerBucket) and its end. */
  start: number;
  end: number;
  pagesPerBucket: number;
  buckets: number;
  /** counts[b * LEVEL_SLOTS + s]. */
  counts: Uint32Array<ArrayBuffer>;
  /** Pages per slot over the whole dump, for the legend (kept and dropped at this level). */
  totals: number[];
}

interface Tables {
  /** Class byte → slot for an in-dump page present in the file. */
  slot: Uint8Array;
  zeroKnown: boolean;
}

/** Whether `level`'s zero pages are all known (it drops none, or they were scanned for it); if not, it is shown as level & ~1. */
export const zeroKnownFor = (src: Pick<LevelSource, 'zeroScanLevels'>, level: number): boolean => (level & 1) === 0 || src.zeroScanLevels.includes(level);

function tablesFor(src: LevelSource, level: number): Tables {
  checkLevel(level);
  const zeroKnown = zeroKnownFor(src, level);
  const classAt31 = outcomeTable(src.zeroScanLevels.includes(31) ? 31 : 30);
  const atLevel = outcomeTable(zeroKnown ? level : level & ~1);
  const slot = new Uint8Array(256);
  for (let b = 0; b < 256; b++) slot[b] = classAt31[b]! + (atLevel[b] === Outcome.Kept ? 0 : DROPPED);
  return { slot, zeroKnown };
}

/** Adds the slots of pfns [from, to) into counts at `row`. */
function countRange(src: LevelSource, t: Tables, inDumpMask: Uint8Array, from: number, to: number, counts: Uint32Array, row: number): void {
  const map = src.classMap;
  const present = src.present;
  for (let pfn = from; pfn < to; pfn++) {
    if (!inDumpMask[pfn]) counts[row + NOT_IN_DUMP_SLOT]++;
    else if (present && ((present[pfn >>> 3]! >>> (pfn & 7)) & 1) === 0) counts[row + LACKING_SLOT]++;
    else counts[row + t.slot[map[pfn]!]!]++;
  }
}

const masks = new WeakMap<LevelSource, Uint8Array>();

/** One byte per pfn: 1 in the dump (its 1st bitmap). Made once per source. */
function inDumpMask(src: LevelSource): Uint8Array {
  let m = masks.get(src);
  if (!m) {
    m = new Uint8Array(src.maxPfn);
    for (const r of src.inDump) m.fill(1, Math.max(0, r.start), Math.min(r.end, src.maxPfn));
    masks.set(src, m);
  }
  return m;
}

/** The base summary of `level`: one pass over the class map. */
export function levelBase(src: LevelSource, level: number): LevelBase {
  const t = tablesFor(src, level);
  const mask = inDumpMask(src);
  const n = Math.ceil(src.maxPfn / BASE_PAGES);
  const counts = new Uint32Array(n * LEVEL_SLOTS);
  for (let b = 0; b < n; b++) countRange(src, t, mask, b * BASE_PAGES, Math.min(src.maxPfn, (b + 1) * BASE_PAGES), counts, b * LEVEL_SLOTS);
  const totals = new Array<number>(LEVEL_SLOTS).fill(0);
  for (let i = 0; i < counts.length; i++) totals[i % LEVEL_SLOTS] += counts[i]!;
  return { level, zeroKnown: t.zeroKnown, counts, totals };
}

/** [start, end) as whole pfns inside the dump, at least one pfn wide. */
function clampedView(start: number, end: number, maxPfn: number): [lo: number, hi: number] {
  const lo = Math.max(0, Math.min(Math.floor(start), maxPfn - 1));
  return [lo, Math.max(lo + 1, Math.min(Math.ceil(end), maxPfn))];
}

/**
 * The pages per bucket of levelView's view of [start, end): the smallest power of two that fits the view in maxBuckets.
 * A page knows from it how fine the view it asked for will be before the view comes back.
 */
export function pagesPerBucketFor(start: number, end: number, maxPfn: number, maxBuckets: number): number {
  return bucketSize(...clampedView(start, end, maxPfn), maxBuckets);
}

function bucketSize(lo: number, hi: number, maxBuckets: number): number {
  let per = 1;
  while (Math.ceil(hi / per) - Math.floor(lo / per) > maxBuckets) per *= 2;
  return per;
}

/**
 * The view of pfns [start, end) in at most maxBuckets buckets of a power-of-two size (a whole pfn at the finest), from
 * the level's base summary where its buckets are at least BASE_PAGES, else from the class map.
 */
export function levelView(src: LevelSource, base: LevelBase, start: number, end: number, maxBuckets: number): LevelView {
  if (!Number.isInteger(maxBuckets) || maxBuckets < 1) throw new VmsieveError('E_USAGE', `the number of buckets must be a positive integer, not ${maxBuckets}`);
  const [lo, hi] = clampedView(start, end, src.maxPfn);
  const per = bucketSize(lo, hi, maxBuckets);
  const first = Math.floor(lo / per) * per;
  const buckets = Math.ceil((hi - first) / per);
  const counts = new Uint32Array(buckets * LEVEL_SLOTS);
  if (per >= BASE_PAGES) {
    const step = per / BASE_PAGES;
    const firstBase = first / BASE_PAGES;
    const baseCount = base.counts.length / LEVEL_SLOTS;
    for (let b = 0; b < buckets; b++)
      for (let k = firstBase + b * step, stop = Math.min(baseCount, k + step); k < stop; k++)
        for (let s = 0; s < LEVEL_SLOTS; s++) counts[b * LEVEL_SLOTS + s] += base.counts[k * LEVEL_SLOTS + s]!;
  } else {
    const t = tablesFor(src, base.level);
    const mask = inDumpMask(src);
    for (let b = 0; b < buckets; b++) {
      const from = first + b * per;
      countRange(src, t, mask, from, Math.min(src.maxPfn, from + per), counts, b * LEVEL_SLOTS);
    }
  }
  return {
    level: base.level,
    zeroKnown: base.zeroKnown,
    maxPfn: src.maxPfn,
    pageSize: src.pageSize,
    start: first,
    end: Math.min(src.maxPfn, first + buckets * per),
    pagesPerBucket: per,
    buckets,
    counts,
    totals: base.totals,
  };
}

/** Pages kept and dropped (in the dump and present) in slot totals or one bucket's counts. */
export function keptAndDropped(slots: ArrayLike<number>, at = 0): { kept: number; dropped: number; lacking: number; notInDump: number } {
  let kept = 0;
  let dropped = 0;
  for (let c = 0; c < IN_DUMP; c++) {
    kept += slots[at + c]!;
    dropped += slots[at + DROPPED + c]!;
  }
  return { kept, dropped, lacking: slots[at + LACKING_SLOT]!, notInDump: slots[at + NOT_IN_DUMP_SLOT]! };
}
