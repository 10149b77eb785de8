import { describe, expect, it } from 'vitest';
import { setBit, setBitRange } from '../../src/formats/selection.js';

describe('setBitRange', () => {
  it('sets exactly the bits of [start, end), bit by bit or a byte at a time, for every alignment of both ends', () => {
    for (let start = 0; start < 20; start++)
      for (let end = start; end < 45; end++) {
        const fast = new Uint8Array(8);
        const slow = new Uint8Array(8);
        setBitRange(fast, start, end);
        for (let pfn = start; pfn < end; pfn++) setBit(slow, pfn);
        expect([...fast]).toEqual([...slow]);
      }
  });
});
