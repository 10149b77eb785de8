import { bucketCounts, OVERVIEW_CLASS_COUNT, OVERVIEW_CLASSES, type ClassOverview } from '../../src/browser.js';
import { hex } from './format.js';
import { cellOrigin, cssVars, grid, hatch, ringCell, type Grid } from './grid.js';
import { CLASS_LOOK } from './page-classes.js';

/**
 * The page-class map on the grid: one cell per bucket, each split top to bottom into bands as tall as its classes'
 * shares, and every few rows labelled with the row's start address.
 */
export interface ClassGrid extends Grid {
  /** Every labelEvery-th row is labelled with its start address. */
  labelEvery: number;
}

/** Widest first: power-of-two rows keep row start addresses round. */
const COLUMN_CHOICES = [128, 64, 32, 16];
const MIN_CELL_CSS = 5;
const MAX_CELL_CSS = 22;
const GAP_FROM_CSS = 4;
const GUTTER_CSS = 92;
const PAD_CSS = 6;
const LABEL_SPACING_CSS = 26;
/** Few rows get taller cells (up to 2.5 times their width), so a small dump's map is not a thin strip. */
const TARGET_HEIGHT_CSS = 240;

export function classGridLayout(buckets: number, cssWidth: number, dpr: number): ClassGrid {
  const gutter = Math.round(GUTTER_CSS * dpr);
  const pad = Math.round(PAD_CSS * dpr);
  const avail = Math.max(0, Math.floor(cssWidth * dpr) - gutter);
  const fitting = COLUMN_CHOICES.find((c) => avail / c >= MIN_CELL_CSS * dpr) ?? COLUMN_CHOICES[COLUMN_CHOICES.length - 1];
  const cols = Math.max(1, Math.min(fitting, buckets));
  const pitchX = Math.max(2, Math.min(Math.floor(avail / cols), Math.round(MAX_CELL_CSS * dpr)));
  const rows = Math.ceil(buckets / cols);
  const pitchY = Math.max(pitchX, Math.min(Math.floor((TARGET_HEIGHT_CSS * dpr) / Math.max(1, rows)), Math.floor(2.5 * pitchX)));
  let labelEvery = 1;
  while (labelEvery * pitchY < LABEL_SPACING_CSS * dpr) labelEvery *= 2;
  return { ...grid({ dpr, cols, rows, gutter, pad, pitchX, pitchY }, GAP_FROM_CSS), labelEvery };
}

/**
 * Splits `size` pixels among `counts` in proportion (largest remainders), then gives every class that has pages at
 * least one pixel, taken from the tallest band: a few poisoned pages among thousands must still show.
 */
export function bandHeights(counts: ArrayLike<number>, size: number): number[] {
  const n = counts.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += counts[i];
  const out = new Array<number>(n).fill(0);
  if (total === 0) return out;
  const rest: { i: number; frac: number }[] = [];
  let left = size;
  for (let i = 0; i < n; i++) {
    const exact = (counts[i] * size) / total;
    out[i] = Math.floor(exact);
    left -= out[i];
    rest.push({ i, frac: exact - out[i] });
  }
  rest.sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; k < left; k++) out[rest[k].i]++;
  for (let i = 0; i < n; i++) {
    if (counts[i] === 0 || out[i] > 0) continue;
    const tallest = out.indexOf(Math.max(...out));
    if (out[tallest] <= 1) break;
    out[tallest]--;
    out[i] = 1;
  }
  return out;
}

export interface ClassPalette {
  /** Per class, indexed like OVERVIEW_CLASSES. */
  fills: (string | CanvasPattern)[];
  label: string;
  font: string;
  hover: string;
  focus: string;
}

export function classPalette(el: Element, ctx: CanvasRenderingContext2D, dpr: number): ClassPalette {
  const v = cssVars(el);
  return {
    fills: OVERVIEW_CLASSES.map((c) => {
      const colorVar = CLASS_LOOK[c].colorVar;
      return colorVar ? v(colorVar) : hatch(ctx, v('--hole'), dpr);
    }),
    label: v('--muted'),
    font: `${Math.round(10.5 * dpr)}px ${v('--mono') || 'monospace'}`,
    hover: v('--text'),
    focus: v('--focus'),
  };
}

/** Physical address where row `row` starts. */
export function rowAddress(o: ClassOverview, l: ClassGrid, row: number): number {
  return row * l.cols * o.pagesPerBucket * o.pageSize;
}

export interface Marks {
  /** The cell under the pointer, or -1. */
  hover: number;
  /** The keyboard's cell while the map has focus, or -1. */
  selected: number;
}

export function drawClassMap(ctx: CanvasRenderingContext2D, o: ClassOverview, l: ClassGrid, p: ClassPalette, marks: Marks): void {
  ctx.clearRect(0, 0, l.width, l.height);
  const w = l.pitchX - l.gap;
  const h = l.pitchY - l.gap;
  for (let b = 0; b < o.buckets; b++) {
    let { x, y } = cellOrigin(l, b);
    const bands = bandHeights(bucketCounts(o, b), h);
    for (let c = 0; c < OVERVIEW_CLASS_COUNT; c++) {
      if (!bands[c]) continue;
      ctx.fillStyle = p.fills[c];
      ctx.fillRect(x, y, w, bands[c]);
      y += bands[c];
    }
  }

  ctx.fillStyle = p.label;
  ctx.font = p.font;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let row = 0; row < l.rows; row += l.labelEvery)
    ctx.fillText(hex(rowAddress(o, l, row)), l.gutter - Math.round(8 * l.dpr), l.pad + row * l.pitchY + h / 2);

  const ring = (i: number, color: string, width: number) => {
    if (i >= 0 && i < o.buckets) ringCell(ctx, l, i, color, width, 'outside');
  };
  if (marks.hover !== marks.selected) ring(marks.hover, p.hover, Math.max(1, Math.round(1.5 * l.dpr)));
  ring(marks.selected, p.focus, Math.max(2, Math.round(2 * l.dpr)));
}
