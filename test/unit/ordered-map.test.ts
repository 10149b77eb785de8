import { describe, expect, it } from 'vitest';
import { mapOrdered } from '../../src/workers/ordered.js';

describe('mapOrdered', () => {
  it('reads a function limit as each item comes: the schedule widens, results stay in input order', async () => {
    let limit = 1;
    let inFlight = 0;
    const peaks: number[] = [];
    const fn = async (i: number) => {
      inFlight++;
      peaks[i] = inFlight;
      await new Promise((r) => setTimeout(r, (7 * i) % 5));
      inFlight--;
      return i * 10;
    };
    const out: number[] = [];
    for await (const r of mapOrdered(Array.from({ length: 20 }, (_, i) => i), () => limit, fn)) {
      out.push(r);
      if (out.length === 5) limit = 4;
    }
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    // One at a time until the limit widens, then up to four.
    expect(peaks.slice(0, 5)).toEqual([1, 1, 1, 1, 1]);
    expect(Math.max(...peaks)).toBe(4);
  });
});
