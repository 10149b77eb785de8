import { describe, expect, it } from 'vitest';
import { bitmapMode } from '../../src/model/bitmap-mode.js';
import { inDumpRanges, originalPageCount } from '../../src/filter/dump-level.js';
import type { LoadSegment } from '../../src/model/dump.js';

const load = (physStart: number, physEnd: number): LoadSegment => ({ physStart, physEnd, fileOffset: 0, fileSize: physEnd - physStart, virtStart: 0n, flags: 7 });
// An x86_64 kdump's PT_LOADs: low memory ends mid-page (0x9fc00), then RAM to max_mapnr.
const x86Loads = [load(0x1000, 0x9fc00), load(0x100000, 0x13fd8000)];
const PAGE = 4096;

describe("makedumpfile's bitmap mode and 1st bitmap", () => {
  it('keeps the bitmaps in a file only when both fit its buffer exactly: max_mapnr a multiple of 4, at most 16 Mi pfns', () => {
    expect(bitmapMode(0x13fd8)).toBe('file');
    expect(bitmapMode(0x13fda)).toBe('cyclic');
    expect(bitmapMode(0x17fd9)).toBe('cyclic');
    expect(bitmapMode(16 * 1024 * 1024)).toBe('file');
    expect(bitmapMode(16 * 1024 * 1024 + 4)).toBe('cyclic');
  });

  it("with the bitmaps in a file, a PT_LOAD's partial last page is in the dump and counts in Original pages", () => {
    expect(inDumpRanges(x86Loads, PAGE, 0x13fd8, 'file')).toEqual([
      { start: 1, end: 0xa0 },
      { start: 0x100, end: 0x13fd8 },
    ]);
    expect(originalPageCount(x86Loads, PAGE, 0x13fd8, 'file')).toBe(0x9f + 0x13ed8);
  });

  it('in cyclic mode it is not', () => {
    expect(inDumpRanges(x86Loads, PAGE, 0x13fd8, 'cyclic')).toEqual([
      { start: 1, end: 0x9f },
      { start: 0x100, end: 0x13fd8 },
    ]);
    expect(originalPageCount(x86Loads, PAGE, 0x13fd8, 'cyclic')).toBe(0x9e + 0x13ed8);
  });

  it('the partial page never reaches past max_mapnr', () => {
    expect(inDumpRanges([load(0x100000, 0x200800)], PAGE, 0x200, 'file')).toEqual([{ start: 0x100, end: 0x200 }]);
  });
});
