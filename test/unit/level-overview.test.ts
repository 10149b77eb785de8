import { describe, expect, it } from 'vitest';
import { CODE_FREE_INTERIOR, CODE_TAIL, Outcome, outcomeOf, ZERO_BIT } from '../../src/filter/dump-level.js';
import type { PfnRange } from '../../src/model/dump.js';
import { BASE_PAGES, DROPPED, keptAndDropped, LACKING_SLOT, LEVEL_SLOTS, levelBase, levelView, NOT_IN_DUMP_SLOT, pagesPerBucketFor, type LevelSource } from '../../src/filter/level-overview.js';

// Class bytes of assembly/classify.ts (see dump-level.ts): kept, hwpoison, offline, user, cache, private cache, free.
const CODES = [0, 1, 2, 3, 6, 12, 18, CODE_FREE_INTERIOR, CODE_TAIL + 3];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A class map with every kind of class byte, zero bits on some, and two holes. */
function randomSource(maxPfn: number, seed: number, present?: Uint8Array): LevelSource {
  const r = lcg(seed);
  const classMap = new Uint8Array(maxPfn);
  for (let p = 0; p < maxPfn; p++) classMap[p] = CODES[Math.floor(r() * CODES.length)]! | (r() < 0.3 ? ZERO_BIT : 0);
  const inDump: PfnRange[] = [
    { start: 1, end: Math.floor(maxPfn / 3) },
    { start: Math.floor(maxPfn / 2), end: maxPfn - 5 },
  ];
  return { classMap, maxPfn, pageSize: 4096, inDump, zeroScanLevels: Array.from({ length: 16 }, (_, i) => 2 * i + 1), present };
}

/** What a level keeps, pfn by pfn, straight from outcomeOf. */
function expectedKept(src: LevelSource, level: number, from = 0, to = src.maxPfn): number {
  let n = 0;
  for (const r of src.inDump)
    for (let p = Math.max(from, r.start); p < Math.min(to, r.end); p++) {
      const present = !src.present || ((src.present[p >>> 3]! >>> (p & 7)) & 1) === 1;
      if (present && outcomeOf(src.classMap[p]!, level) === Outcome.Kept) n++;
    }
  return n;
}

describe('levelBase and levelView', () => {
  const src = randomSource(3 * BASE_PAGES * 7 + 333, 7);

  it('keeps, at every level, exactly the pages outcomeOf keeps; every pfn is counted once', () => {
    for (let level = 0; level < 32; level++) {
      const base = levelBase(src, level);
      const t = keptAndDropped(base.totals);
      expect([level, t.kept]).toEqual([level, expectedKept(src, level)]);
      expect(t.kept + t.dropped + t.notInDump + t.lacking).toBe(src.maxPfn);
    }
  });

  it('any view, coarse (from the base) or fine (from the class map), counts what the pfns it covers hold', () => {
    const base = levelBase(src, 31);
    for (const [start, end, max] of [
      [0, src.maxPfn, 64],
      [0, src.maxPfn, 4096],
      [5000, 9000, 128],
      [777, 800, 4096],
      [src.maxPfn - 3, src.maxPfn, 8],
    ] as const) {
      const v = levelView(src, base, start, end, max);
      expect(v.buckets).toBeLessThanOrEqual(max);
      expect(v.start).toBeLessThanOrEqual(start);
      expect(v.end).toBeGreaterThanOrEqual(Math.min(end, src.maxPfn));
      let kept = 0;
      for (let b = 0; b < v.buckets; b++) kept += keptAndDropped(v.counts, b * LEVEL_SLOTS).kept;
      expect([start, end, max, kept]).toEqual([start, end, max, expectedKept(src, 31, v.start, v.end)]);
    }
  });

  it('pagesPerBucketFor says how fine a view will be before it is made, and halving it halves the view asked for', () => {
    const base = levelBase(src, 31);
    const cells = 512;
    // Zoom steps as the page takes them, each from the view asked for last: the span is (cells - 1) × per.
    let [start, end] = [0, src.maxPfn];
    const seen: number[] = [];
    for (let step = 0; step < 12; step++) {
      const per = pagesPerBucketFor(start, end, src.maxPfn, cells);
      expect(per).toBe(levelView(src, base, start, end, cells).pagesPerBucket);
      seen.push(per);
      const next = Math.max(1, per / 2) * (cells - 1);
      start = Math.max(0, Math.floor((start + end) / 2 - next / 2));
      end = start + next;
    }
    expect(seen.slice(0, 3)).toEqual([seen[0], seen[0]! / 2, seen[0]! / 4]);
    expect(seen.at(-1)).toBe(1);
  });

  it('zoomed in to single pages, each bucket is one pfn in its one slot', () => {
    const base = levelBase(src, 8);
    const v = levelView(src, base, 0, 40, 64);
    expect([v.pagesPerBucket, v.start, v.buckets]).toEqual([1, 0, 40]);
    expect(v.counts.subarray(0, LEVEL_SLOTS).reduce((a, b) => a + b, 0)).toBe(1);
    expect(v.counts[NOT_IN_DUMP_SLOT]).toBe(1); // pfn 0 is a hole
    const pfn = 3;
    const dropped = outcomeOf(src.classMap[pfn]!, 8) !== Outcome.Kept;
    const row = v.counts.subarray(pfn * LEVEL_SLOTS, (pfn + 1) * LEVEL_SLOTS);
    expect(row.findIndex((n) => n === 1) >= DROPPED).toBe(dropped);
  });

  it('pages a kdump input lacks are neither kept nor dropped but lacking; a level whose zero bits are unknown keeps zero pages', () => {
    const maxPfn = 2000;
    const present = new Uint8Array(Math.ceil(maxPfn / 8)).fill(0xff);
    for (let p = 100; p < 300; p++) present[p >>> 3]! &= ~(1 << (p & 7));
    const withHoles = randomSource(maxPfn, 3, present);
    const t = keptAndDropped(levelBase(withHoles, 1).totals);
    expect(t.lacking).toBe(200);
    expect(t.kept).toBe(expectedKept(withHoles, 1));
    const partial: LevelSource = { ...withHoles, zeroScanLevels: [31] };
    const b = levelBase(partial, 1);
    expect(b.zeroKnown).toBe(false);
    expect(keptAndDropped(b.totals).kept).toBe(expectedKept(partial, 0));
    expect(b.totals[LACKING_SLOT]).toBe(200);
  });
});
