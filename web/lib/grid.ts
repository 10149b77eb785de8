import { tilePattern } from './canvas.js';

/**
 * The grid both memory maps draw on a canvas: equal cells row after row, in device pixels (so cell edges fall on
 * whole pixels at any zoom), after a left margin and between a top and a bottom one.
 */
export interface Grid {
  dpr: number;
  cols: number;
  rows: number;
  /** Left margin (the class map's row addresses; none on the level map). */
  gutter: number;
  /** Top and bottom margin, so the first and last row labels are not cut. */
  pad: number;
  /** Cell width and height, each plus the gap after it. */
  pitchX: number;
  pitchY: number;
  gap: number;
  width: number;
  height: number;
}

export type GridShape = Omit<Grid, 'gap' | 'width' | 'height'>;

/**
 * A grid of that shape, with a gap of one device pixel (about one CSS pixel) between cells once they are at least
 * `gapFromCss` CSS pixels wide: narrower cells have no room to spare for it.
 */
export function grid(shape: GridShape, gapFromCss: number): Grid {
  const { dpr, cols, rows, gutter, pad, pitchX, pitchY } = shape;
  const gap = pitchX >= gapFromCss * dpr ? Math.max(1, Math.round(dpr)) : 0;
  return { ...shape, gap, width: gutter + cols * pitchX, height: 2 * pad + rows * pitchY };
}

/** The cell under a point given in CSS pixels from the canvas's top left corner, or -1. */
export function cellAt(g: Grid, cells: number, xCss: number, yCss: number): number {
  const col = Math.floor((xCss * g.dpr - g.gutter) / g.pitchX);
  const row = Math.floor((yCss * g.dpr - g.pad) / g.pitchY);
  if (col < 0 || row < 0 || col >= g.cols || row >= g.rows) return -1;
  const i = row * g.cols + col;
  return i < cells ? i : -1;
}

/** A cell's top left corner in device pixels. */
export function cellOrigin(g: Grid, i: number): { x: number; y: number } {
  return { x: g.gutter + (i % g.cols) * g.pitchX, y: g.pad + Math.floor(i / g.cols) * g.pitchY };
}

/** A cell's box in CSS pixels from the canvas's top left corner. */
export function cellBox(g: Grid, i: number): { x: number; y: number; w: number; h: number } {
  const { x, y } = cellOrigin(g, i);
  return { x: x / g.dpr, y: y / g.dpr, w: (g.pitchX - g.gap) / g.dpr, h: (g.pitchY - g.gap) / g.dpr };
}

/** Outlines cell `i` with a line `width` device pixels wide, just outside its edges or just inside them. */
export function ringCell(ctx: CanvasRenderingContext2D, g: Grid, i: number, color: string, width: number, side: 'outside' | 'inside'): void {
  const { x, y } = cellOrigin(g, i);
  const grow = side === 'outside' ? width : -width;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.strokeRect(x - grow / 2, y - grow / 2, g.pitchX - g.gap + grow, g.pitchY - g.gap + grow);
}

/** Reads web/app.css's custom properties as they apply to `el` now (they follow the light or dark scheme). */
export function cssVars(el: Element): (name: string) => string {
  const css = getComputedStyle(el);
  return (name) => css.getPropertyValue(name).trim();
}

/** Wide diagonal bands in `color`, like the hole cells of the segment strip (web/components/MemoryMap.svelte). */
export function hatch(ctx: CanvasRenderingContext2D, color: string, dpr: number): CanvasPattern | string {
  return tilePattern(ctx, color, dpr, (t, s) => {
    for (const k of [0, s]) {
      t.beginPath();
      t.moveTo(k, 0);
      t.lineTo(k + s / 2, 0);
      t.lineTo(k + s / 2 - s, s);
      t.lineTo(k - s, s);
      t.closePath();
      t.fill();
    }
  });
}

/** Thin diagonal lines in `color`. */
export function stripes(ctx: CanvasRenderingContext2D, color: string, dpr: number): CanvasPattern | string {
  return tilePattern(ctx, color, dpr, (t, s) => {
    t.lineWidth = Math.max(1, dpr);
    t.beginPath();
    t.moveTo(0, s);
    t.lineTo(s, 0);
    t.stroke();
  });
}
