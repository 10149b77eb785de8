import { describe, expect, it } from 'vitest';
import { classOverview } from '../../src/filter/class-overview.js';
import { bandHeights, classGridLayout, rowAddress } from '../../web/lib/class-map-draw.js';
import { cellAt, cellBox } from '../../web/lib/grid.js';

describe('bandHeights', () => {
  it('splits the cell in proportion, to the pixel', () => {
    expect(bandHeights([1, 1, 2], 8)).toEqual([2, 2, 4]);
    expect(bandHeights([0, 32, 0], 13)).toEqual([0, 13, 0]);
    const h = bandHeights([5, 3, 7, 1], 13);
    expect(h.reduce((a, b) => a + b, 0)).toBe(13);
  });

  it('gives every class with pages at least one pixel, taken from the tallest band', () => {
    expect(bandHeights([1000, 1, 0, 1], 10)).toEqual([8, 1, 0, 1]);
  });

  it('draws nothing for an empty bucket', () => {
    expect(bandHeights([0, 0, 0], 10)).toEqual([0, 0, 0]);
  });
});

describe('classGridLayout', () => {
  it('uses 128 columns on a wide page and fewer on a narrow one, never more than there are buckets', () => {
    expect(classGridLayout(2303, 990, 1).cols).toBe(128);
    expect(classGridLayout(2303, 500, 1).cols).toBe(64);
    expect(classGridLayout(2303, 990, 1).rows).toBe(18);
    expect(classGridLayout(5, 990, 1)).toMatchObject({ cols: 5, rows: 1 });
  });

  it('keeps cell edges on whole device pixels', () => {
    for (const dpr of [1, 1.25, 2]) {
      const l = classGridLayout(4096, 977, dpr);
      expect(Number.isInteger(l.pitchX) && Number.isInteger(l.pitchY) && Number.isInteger(l.gutter) && Number.isInteger(l.pad)).toBe(true);
      expect(l.width / dpr).toBeLessThanOrEqual(977);
    }
  });

  it('finds the cell under a point, and each cell box maps back to its cell', () => {
    for (const dpr of [1, 2]) {
      const l = classGridLayout(2303, 990, dpr);
      for (const i of [0, 1, 127, 128, 1000, 2302]) {
        const b = cellBox(l, i);
        expect(cellAt(l, 2303, b.x + b.w / 2, b.y + b.h / 2)).toBe(i);
      }
      expect(cellAt(l, 2303, 1, 1)).toBe(-1); // the address gutter
      const last = cellBox(l, 2302);
      expect(cellAt(l, 2303, last.x + 3 * (l.pitchX / dpr), last.y + 1)).toBe(-1); // past the last bucket
    }
  });
});

describe('rowAddress', () => {
  it('counts in the dump\'s pages: 64 KiB pages put each row 16 times as far as 4 KiB ones', () => {
    // 2^20 pfns in 4096 buckets of 256 pfns: 128 columns, so a row spans 2^15 pfns
    const over = (pageSize: number) => classOverview({ classMap: new Uint8Array(1 << 20), maxPfn: 1 << 20, pageSize, inDump: [], zeroScanLevels: [] }, 4096);
    const l = classGridLayout(4096, 990, 1);
    expect(l.cols).toBe(128);
    expect(rowAddress(over(4096), l, 3)).toBe(3 * 2 ** 15 * 4096);
    expect(rowAddress(over(65536), l, 31)).toBe(31 * 2 ** 15 * 65536); // 62 GiB: beyond 32 bits
  });
});
