import { describe, expect, it } from 'vitest';
import { Frontier } from '../../src/filter/frontier.js';

describe('classification frontier', () => {
  it('releases each waiter once classification has passed its pfn, in any order of asking', async () => {
    const f = new Frontier();
    const seen: number[] = [];
    const waits = [300, 100, 200].map((pfn) => f.reach(pfn).then(() => seen.push(pfn)));
    f.advance(150);
    await Promise.resolve();
    expect(seen).toEqual([100]);
    f.advance(120); // never goes back
    expect(f.reached).toBe(150);
    f.advance(300);
    await Promise.all(waits);
    expect(seen.sort((a, b) => a - b)).toEqual([100, 200, 300]);
    await expect(f.reach(250)).resolves.toBeUndefined();
  });

  it('hands a classification failure to every waiter and to later ones', async () => {
    const f = new Frontier();
    const waiting = f.reach(10);
    f.fail(new Error('torn mem_map'));
    await expect(waiting).rejects.toThrow('torn mem_map');
    await expect(f.reach(20)).rejects.toThrow('torn mem_map');
  });
});
