import { DROPPED, keptAndDropped, LACKING_SLOT, LEVEL_SLOTS, type LevelView, NOT_IN_DUMP_SLOT, OVERVIEW_CLASSES } from '../../src/browser.js';
import { tilePattern } from './canvas.js';
import { CLASS_LOOK } from './page-classes.js';

/**
 * Drawing of a level map: the view's cells row after row by physical address, each split top to bottom into what the
 * level keeps (in its classes' colours) and what it drops (one grey), then pages outside the dump or missing from the
 * file (hatched). Lengths in device pixels.
 */
export const LEVEL_COLS = 64;
const MAX_ROWS = 24;
const MAX_CELLS = LEVEL_COLS * MAX_ROWS;

/**
 * Cells of a dump's level map: as many rows as its whole memory needs at the coarsest power-of-two bucket (at most
 * MAX_ROWS), so the full view has no empty rows; fixed for the dump, so zooming never changes the map's height.
 */
export function levelCellsFor(maxPfn: number): number {
  let per = 1;
  while (Math.ceil(maxPfn / per) > MAX_CELLS) per *= 2;
  return Math.ceil(Math.ceil(maxPfn / per) / LEVEL_COLS) * LEVEL_COLS;
}

export interface LevelGrid {
  dpr: number;
  rows: number;
  pitchX: number;
  pitchY: number;
  gap: number;
  width: number;
  height: number;
}

export function levelGrid(cssWidth: number, dpr: number, cells: number): LevelGrid {
  const rows = Math.ceil(cells / LEVEL_COLS);
  const pitchX = Math.max(2, Math.floor((Math.max(64, cssWidth) * dpr) / LEVEL_COLS));
  const pitchY = Math.max(2, Math.round(pitchX * 1.5));
  const gap = pitchX >= 5 * dpr ? Math.max(1, Math.round(dpr)) : 0;
  return { dpr, rows, pitchX, pitchY, gap, width: LEVEL_COLS * pitchX, height: rows * pitchY };
}

/** The cell under a point in CSS pixels from the canvas's top left, or -1. */
export function levelCellAt(g: LevelGrid, cells: number, xCss: number, yCss: number): number {
  const col = Math.floor((xCss * g.dpr) / g.pitchX);
  const row = Math.floor((yCss * g.dpr) / g.pitchY);
  if (col < 0 || row < 0 || col >= LEVEL_COLS || row >= g.rows) return -1;
  const i = row * LEVEL_COLS + col;
  return i < cells ? i : -1;
}

export interface LevelPalette {
  kept: string[];
  dropped: string;
  outside: CanvasPattern | string;
  lacking: CanvasPattern | string;
  differ: string;
  hover: string;
}

function stripes(ctx: CanvasRenderingContext2D, color: string, dpr: number): CanvasPattern | string {
  return tilePattern(ctx, color, dpr, (t, s) => {
    t.lineWidth = Math.max(1, dpr);
    t.beginPath();
    t.moveTo(0, s);
    t.lineTo(s, 0);
    t.stroke();
  });
}

export function levelPalette(el: Element, ctx: CanvasRenderingContext2D, dpr: number): LevelPalette {
  const css = getComputedStyle(el);
  const v = (name: string) => css.getPropertyValue(name).trim();
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

export function drawLevelGrid(ctx: CanvasRenderingContext2D, v: LevelView, g: LevelGrid, p: LevelPalette, hover: number, differ?: Uint8Array): void {
  ctx.clearRect(0, 0, g.width, g.height);
  const w = g.pitchX - g.gap;
  const h = g.pitchY - g.gap;
  for (let b = 0; b < Math.min(v.buckets, g.rows * LEVEL_COLS); b++) {
    const x = (b % LEVEL_COLS) * g.pitchX;
    let y = Math.floor(b / LEVEL_COLS) * g.pitchY;
    const at = b * LEVEL_SLOTS;
    let total = 0;
    for (let s = 0; s < LEVEL_SLOTS; s++) total += v.counts[at + s]!;
    if (total === 0) continue;
    const band = (n: number, fill: string | CanvasPattern) => {
      if (n === 0) return;
      const px = Math.max(1, Math.round((n * h) / total));
      ctx.fillStyle = fill;
      ctx.fillRect(x, y, w, Math.min(px, Math.floor(b / LEVEL_COLS) * g.pitchY + h - y));
      y += px;
    };
    for (let c = 0; c < DROPPED; c++) band(v.counts[at + c]!, p.kept[c]!);
    let dropped = 0;
    for (let c = 0; c < DROPPED; c++) dropped += v.counts[at + DROPPED + c]!;
    band(dropped, p.dropped);
    band(v.counts[at + LACKING_SLOT]!, p.lacking);
    band(v.counts[at + NOT_IN_DUMP_SLOT]!, p.outside);
  }
  const ring = (i: number, color: string, width: number) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.strokeRect((i % LEVEL_COLS) * g.pitchX + width / 2, Math.floor(i / LEVEL_COLS) * g.pitchY + width / 2, w - width, h - width);
  };
  if (differ) for (let i = 0; i < differ.length; i++) if (differ[i]) ring(i, p.differ, Math.max(1, Math.round(g.dpr)));
  if (hover >= 0 && hover < v.buckets) ring(hover, p.hover, Math.max(2, Math.round(2 * g.dpr)));
}
