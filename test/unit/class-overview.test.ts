import { describe, expect, it } from 'vitest';
import { bucketCounts, bucketPfns, classOverview, OVERVIEW_CLASS_COUNT, OVERVIEW_CLASSES, type ClassOverviewSource, type OverviewClass } from '../../src/filter/class-overview.js';
import { CODE_FREE_INTERIOR, CODE_NOT_VISITED, CODE_TAIL, Outcome, outcomeOf, ZERO_BIT } from '../../src/filter/dump-level.js';
import type { PfnRange } from '../../src/model/dump.js';

// Class bytes of assembly/classify.ts (code = f*18 + k*6 + u*3 + a; see dump-level.ts).
const KEPT = 0;
const HWPOISON = 1;
const OFFLINE = 2;
const USER = 3;
const CACHE = 6;
const CACHE_PRIVATE = 12;
const FREE = 18;

const slot = (c: OverviewClass) => OVERVIEW_CLASSES.indexOf(c);

function source(bytes: number[] | Uint8Array, inDump: PfnRange[], zeroScanLevels: number[] = [31]): ClassOverviewSource {
  const classMap = Uint8Array.from(bytes);
  return { classMap, maxPfn: classMap.length, pageSize: 4096, inDump, zeroScanLevels };
}

/** Bucket b's counts as { class: pages }, classes with no page left out. */
function named(counts: Uint32Array): Partial<Record<OverviewClass, number>> {
  return Object.fromEntries(OVERVIEW_CLASSES.map((c, i) => [c, counts[i]] as const).filter(([, n]) => n > 0));
}

/** A tiny deterministic PRNG, so a failing case can be replayed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('classOverview', () => {
  it('puts classes 0..7 where the level-31 Outcome values are, and pages outside the dump last', () => {
    expect(OVERVIEW_CLASSES[Outcome.Kept]).toBe('kept');
    expect(OVERVIEW_CLASSES[Outcome.Zero]).toBe('zero');
    expect(OVERVIEW_CLASSES[Outcome.Cache]).toBe('cache');
    expect(OVERVIEW_CLASSES[Outcome.CachePrivate]).toBe('cachePrivate');
    expect(OVERVIEW_CLASSES[Outcome.User]).toBe('user');
    expect(OVERVIEW_CLASSES[Outcome.Free]).toBe('free');
    expect(OVERVIEW_CLASSES[Outcome.Hwpoison]).toBe('hwpoison');
    expect(OVERVIEW_CLASSES[Outcome.Offline]).toBe('offline');
    expect(OVERVIEW_CLASSES[OVERVIEW_CLASS_COUNT - 1]).toBe('notInDump');
  });

  it('counts each class per bucket; pfns outside the dump are not in dump whatever their byte says', () => {
    const map = [KEPT, KEPT | ZERO_BIT, CACHE, CACHE_PRIVATE, USER, FREE, HWPOISON, OFFLINE, KEPT, KEPT];
    const o = classOverview(source(map, [{ start: 0, end: 8 }]), 4);
    expect(o.pagesPerBucket).toBe(4);
    expect(o.buckets).toBe(3);
    expect(o.zeroKnown).toBe(true);
    expect(named(bucketCounts(o, 0))).toEqual({ kept: 1, zero: 1, cache: 1, cachePrivate: 1 });
    expect(named(bucketCounts(o, 1))).toEqual({ user: 1, free: 1, hwpoison: 1, offline: 1 });
    expect(named(bucketCounts(o, 2))).toEqual({ notInDump: 2 });
    expect(o.totals).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 2]);
  });

  it('claims no zero page unless zero pages were scanned for level 31', () => {
    const map = [KEPT | ZERO_BIT, KEPT | ZERO_BIT, CACHE | ZERO_BIT, KEPT];
    for (const levels of [[], [1], [1, 3, 5]]) {
      const o = classOverview(source(map, [{ start: 0, end: 4 }], levels), 1);
      expect(o.zeroKnown).toBe(false);
      expect(named(bucketCounts(o, 0))).toEqual({ kept: 3, cache: 1 });
    }
    const scanned = classOverview(source(map, [{ start: 0, end: 4 }], [1, 31]), 1);
    expect(scanned.zeroKnown).toBe(true);
    expect(named(bucketCounts(scanned, 0))).toEqual({ kept: 1, zero: 2, cache: 1 });
  });

  it('follows free blocks and compound tails, and counts unvisited in-dump pfns as kept, as -d 31 does', () => {
    const map = [FREE, CODE_FREE_INTERIOR, CODE_FREE_INTERIOR + USER, USER, CODE_TAIL + USER, CODE_TAIL, CODE_NOT_VISITED, CODE_NOT_VISITED | ZERO_BIT];
    const o = classOverview(source(map, [{ start: 0, end: 8 }]), 1);
    expect(named(bucketCounts(o, 0))).toEqual({ free: 3, user: 2, kept: 2, zero: 1 });
  });

  it('picks the smallest power-of-two bucket that fits, and a shorter last bucket when maxPfn is not a multiple', () => {
    const o = classOverview(source(new Uint8Array(73690), [{ start: 0, end: 73690 }]), 4096);
    expect(o.pagesPerBucket).toBe(32);
    expect(o.buckets).toBe(2303);
    expect(bucketPfns(o, 0)).toEqual({ start: 0, end: 32 });
    expect(bucketPfns(o, 2302)).toEqual({ start: 73664, end: 73690 });
    expect(bucketCounts(o, 2302)[slot('kept')]).toBe(26);

    expect(classOverview(source(new Uint8Array(5), [{ start: 0, end: 5 }]), 4096)).toMatchObject({ pagesPerBucket: 1, buckets: 5 });
    expect(classOverview(source(new Uint8Array(8), [{ start: 0, end: 8 }]), 4)).toMatchObject({ pagesPerBucket: 2, buckets: 4 });
  });

  it('handles an empty map and refuses a bucket count that is not a positive integer', () => {
    expect(classOverview(source([], []), 16)).toMatchObject({ buckets: 0, totals: new Array(OVERVIEW_CLASS_COUNT).fill(0) });
    expect(() => classOverview(source([KEPT], [{ start: 0, end: 1 }]), 0)).toThrow(/positive integer/);
    expect(() => classOverview(source([KEPT], [{ start: 0, end: 1 }]), 2.5)).toThrow(/positive integer/);
  });

  it('on random maps, agrees with outcomeOf page by page, and every bucket sums to its pfns', () => {
    const rand = lcg(7);
    const maxPfn = 10007;
    const bytes = Uint8Array.from({ length: maxPfn }, () => Math.floor(rand() * 256));
    // Holes at the start, in the middle and at the end; one range runs past maxPfn (clipped, as inDumpRanges would not be).
    const inDump = [
      { start: 3, end: 2500 },
      { start: 2600, end: 2601 },
      { start: 4096, end: 9000 },
      { start: 9500, end: 12000 },
    ];
    const inside = (pfn: number) => inDump.some((r) => r.start <= pfn && pfn < r.end);
    for (const maxBuckets of [1, 3, 100, 4096, 20000]) {
      const o = classOverview(source(bytes, inDump), maxBuckets);
      expect(o.buckets).toBeLessThanOrEqual(maxBuckets);
      expect(Math.log2(o.pagesPerBucket) % 1).toBe(0);
      if (o.pagesPerBucket > 1) expect(Math.ceil(maxPfn / (o.pagesPerBucket / 2))).toBeGreaterThan(maxBuckets);
      expect(o.counts.length).toBe(o.buckets * OVERVIEW_CLASS_COUNT);

      const want = new Uint32Array(o.counts.length);
      for (let pfn = 0; pfn < maxPfn; pfn++) {
        const c = inside(pfn) ? outcomeOf(bytes[pfn], 31) : slot('notInDump');
        want[Math.floor(pfn / o.pagesPerBucket) * OVERVIEW_CLASS_COUNT + c]++;
      }
      expect(o.counts).toEqual(want);

      for (let b = 0; b < o.buckets; b++) {
        const { start, end } = bucketPfns(o, b);
        expect(bucketCounts(o, b).reduce((n, v) => n + v, 0)).toBe(end - start);
      }
      expect(bucketPfns(o, o.buckets - 1).end).toBe(maxPfn);
      expect(o.totals.reduce((n, v) => n + v, 0)).toBe(maxPfn);
      expect(o.totals[slot('notInDump')]).toBe(maxPfn - (2497 + 1 + 4904 + 507));
    }
  });
});
