import { DROPPED, keptAndDropped, LACKING_SLOT, LEVEL_SLOTS, type LevelView, NOT_IN_DUMP_SLOT, OVERVIEW_CLASSES } from '../../src/browser.js';
import { cellOrigin, cssVars, grid, ringCell, stripes, type Grid } from './grid.js';
import { CLASS_LOOK } from './page-classes.js';

/**
 * A level map on the grid: the view's cells, each split top to bottom into what the level keeps (in its classes'
 * colours) and what it drops (one grey), then pages outside the dump or missing from the file (striped).
 */
export const LEVEL_COLS = 128;
const MAX_ROWS = 16;
const MAX_CELLS = LEVEL_COLS * MAX_ROWS;
const GAP_FROM_CSS = 5;

/**
 * Cells of a dump's level map: as many rows as its whole memory needs at the coarsest power-of-two bucket (at most
 * MAX_ROWS), so the full view has no empty rows; fixed for the dump, so zooming never changes the map's height.
 */
export function levelCellsFor(maxPfn: number): number {
  let per = 1;
  while (Math.ceil(maxPfn / per) > MAX_CELLS) per *= 2;
  return Math.ceil(Math.ceil(maxPfn / per) / LEVEL_COLS) * LEVEL_COLS;
}

export function levelGridLayout(cssWidth: number, dpr: number, cells: number): Grid {
  const pitchX = Math.max(2, Math.floor((Math.max(64, cssWidth) * dpr) / LEVEL_COLS));
  const pitchY = Math.max(2, Math.round(pitchX * 1.5));
  return grid({ dpr, cols: LEVEL_COLS, rows: Math.ceil(cells / LEVEL_COLS), gutter: 0, pad: 0, pitchX, pitchY }, GAP_FROM_CSS);
}

export interface LevelPalette {
  kept: string[];
  dropped: string;
  outside: CanvasPattern | string;
  lacking: CanvasPattern | string;
  differ: string;
  hover: string;
}

export function levelPalette(el: Element, ctx: CanvasRenderingContext2D, dpr: number): LevelPalette {
  const v = cssVars(el);
  return {
    kept: OVERVIEW_CLASSES.slice(0, DROPPED).map((c) => v(CLASS_LOOK[c].colorVar ?? '--hole')),
    dropped: v('--dropped') || v('--hole'),
    outside: stripes(ctx, v('--hole'), dpr),
    lacking: stripes(ctx, v('--muted'), dpr),
    differ: v('--text'),
    hover: v('--focus'),
  };
}

/** Per cell: pages kept and pages in the dump; cells where two views differ in what they keep. */
export function differingCells(a: LevelView, b: LevelView): Uint8Array {
  const out = new Uint8Array(Math.min(a.buckets, b.buckets));
  if (a.start !== b.start || a.pagesPerBucket !== b.pagesPerBucket) return out;
  for (let i = 0; i < out.length; i++) out[i] = keptAndDropped(a.counts, i * LEVEL_SLOTS).kept !== keptAndDropped(b.counts, i * LEVEL_SLOTS).kept ? 1 : 0;
  return out;
}

export function drawLevelMap(ctx: CanvasRenderingContext2D, v: LevelView, g: Grid, p: LevelPalette, hover: number, differ?: Uint8Array): void {
  ctx.clearRect(0, 0, g.width, g.height);
  const w = g.pitchX - g.gap;
  const h = g.pitchY - g.gap;
  for (let b = 0; b < Math.min(v.buckets, g.rows * g.cols); b++) {
    let { x, y } = cellOrigin(g, b);
    const bottom = y + h;
    const at = b * LEVEL_SLOTS;
    let total = 0;
    for (let s = 0; s < LEVEL_SLOTS; s++) total += v.counts[at + s]!;
    if (total === 0) continue;
    const band = (n: number, fill: string | CanvasPattern) => {
      if (n === 0) return;
      const px = Math.max(1, Math.round((n * h) / total));
      ctx.fillStyle = fill;
      ctx.fillRect(x, y, w, Math.min(px, bottom - y));
      y += px;
    };
    for (let c = 0; c < DROPPED; c++) band(v.counts[at + c]!, p.kept[c]!);
    let dropped = 0;
    for (let c = 0; c < DROPPED; c++) dropped += v.counts[at + DROPPED + c]!;
    band(dropped, p.dropped);
    band(v.counts[at + LACKING_SLOT]!, p.lacking);
    band(v.counts[at + NOT_IN_DUMP_SLOT]!, p.outside);
  }
  if (differ) for (let i = 0; i < differ.length; i++) if (differ[i]) ringCell(ctx, g, i, p.differ, Math.max(1, Math.round(g.dpr)), 'inside');
  if (hover >= 0 && hover < v.buckets) ringCell(ctx, g, hover, p.hover, Math.max(2, Math.round(2 * g.dpr)), 'inside');
}
