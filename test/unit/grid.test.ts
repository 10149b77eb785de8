import { describe, expect, it } from 'vitest';
import { cellAt, cellBox, cellOrigin, grid } from '../../web/lib/grid.js';
import { LEVEL_COLS, levelCellsFor, levelGridLayout } from '../../web/lib/level-map-draw.js';

describe('grid', () => {
  it('measures the margins, cells and gap in device pixels', () => {
    const g = grid({ dpr: 2, cols: 4, rows: 3, gutter: 10, pad: 6, pitchX: 12, pitchY: 20 }, 5);
    expect(g).toMatchObject({ gap: 2, width: 10 + 4 * 12, height: 2 * 6 + 3 * 20 });
    expect(cellOrigin(g, 5)).toEqual({ x: 10 + 12, y: 6 + 20 });
    expect(cellBox(g, 5)).toEqual({ x: 11, y: 13, w: 5, h: 9 });
    expect(grid({ dpr: 2, cols: 4, rows: 3, gutter: 0, pad: 0, pitchX: 9, pitchY: 9 }, 5).gap).toBe(0);
  });

  it('finds the cell under a point, -1 in the margins, past the columns and past the last cell', () => {
    const g = grid({ dpr: 1, cols: 4, rows: 3, gutter: 10, pad: 6, pitchX: 12, pitchY: 20 }, 5);
    expect(cellAt(g, 11, 10, 6)).toBe(0);
    expect(cellAt(g, 11, 10 + 12 * 3 + 1, 6 + 20 * 2 + 1)).toBe(-1); // cell 11 does not exist
    expect(cellAt(g, 12, 10 + 12 * 3 + 1, 6 + 20 * 2 + 1)).toBe(11);
    expect(cellAt(g, 12, 9, 7)).toBe(-1);
    expect(cellAt(g, 12, 11, 5)).toBe(-1);
    expect(cellAt(g, 12, 10 + 12 * 4, 7)).toBe(-1);
  });
});

describe('level map grid', () => {
  it('has rows for the whole memory at the coarsest power-of-two bucket, at most 16', () => {
    expect(levelCellsFor(100)).toBe(LEVEL_COLS);
    expect(levelCellsFor(128 * 16)).toBe(128 * 16);
    expect(levelCellsFor(128 * 16 + 1)).toBe(128 * 9); // 2 pages a cell
    expect(levelCellsFor(1 << 22) / LEVEL_COLS).toBeLessThanOrEqual(16);
  });

  it('fills the width with 128 columns of cells half again as tall as wide, without a margin', () => {
    const g = levelGridLayout(1280, 1, 128 * 3);
    expect(g).toMatchObject({ cols: 128, rows: 3, pitchX: 10, pitchY: 15, gutter: 0, pad: 0, gap: 1, width: 1280, height: 45 });
    expect(cellAt(g, 128 * 3, 1279, 44)).toBe(128 * 3 - 1);
    expect(levelGridLayout(300, 1, 128).gap).toBe(0);
  });
});
