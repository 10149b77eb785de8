import { bucketCounts, OVERVIEW_CLASS_COUNT, OVERVIEW_CLASSES, type ClassOverview } from '../../src/browser.js';
import { tilePattern } from './canvas.js';
import { hex } from './format.js';
import { CLASS_LOOK } from './page-classes.js';

/**
 * Geometry and drawing of the page-class map: one cell per bucket, row after row by physical address, each
 * cell split top to bottom into bands as tall as its classes' shares. All lengths are device pixels, so cell edges
 * fall on whole pixels at any zoom.
 */
export interface GridLayout {
  dpr: number;
  cols: number;
  rows: number;
  /** Left margin that holds the row addresses. */
  gutter: number;
  /** Top and bottom margin, so the first and last row labels are not cut. */
  pad: number;
  /** Cell width and height, each plus the gap after it. */
  pitchX: number;
  pitchY: number;
  gap: number;
  width: number;
  height: number;
  /** Every labelEvery-th row is labelled with its start address. */
  labelEvery: number;
}

/** Widest first: power-of-two rows keep row start addresses round. */
const COLUMN_CHOICES = [128, 64, 32, 16];
const MIN_CELL_CSS = 5;
const MAX_CELL_CSS = 22;
const GUTTER_CSS = 92;
const PAD_CSS = 6;
const LABEL_SPACING_CSS = 26;
/** Few rows get taller cells (up to 2.5 times their width), so a small dump's map is not a thin strip. */
const TARGET_HEIGHT_CSS = 240;

export function gridLayout(buckets: number, cssWidth: number, dpr: number): GridLayout {
  const gutter = Math.round(GUTTER_CSS * dpr);
  const pad = Math.round(PAD_CSS * dpr);
  const avail = Math.max(0, Math.floor(cssWidth * dpr) - gutter);
  const fitting = COLUMN_CHOICES.find((c) => avail / c >= MIN_CELL_CSS * dpr) ?? COLUMN_CHOICES[COLUMN_CHOICES.length - 1];
  const cols = Math.max(1, Math.min(fitting, buckets));
  const pitchX = Math.max(2, Math.min(Math.floor(avail / cols), Math.round(MAX_CELL_CSS * dpr)));
  const rows = Math.ceil(buckets / cols);
  const pitchY = Math.max(pitchX, Math.min(Math.floor((TARGET_HEIGHT_CSS * dpr) / Math.max(1, rows)), Math.floor(2.5 * pitchX)));
  const gap = pitchX >= 4 * dpr ? Math.max(1, Math.round(dpr)) : 0;
  let labelEvery = 1;
  while (labelEvery * pitchY < LABEL_SPACING_CSS * dpr) labelEvery *= 2;
  return { dpr, cols, rows, gutter, pad, pitchX, pitchY, gap, width: gutter + cols * pitchX, height: 2 * pad + rows * pitchY, labelEvery };
}

/** The bucket under a point given in CSS pixels from the canvas's top left corner, or -1. */
export function cellAt(l: GridLayout, buckets: number, xCss: number, yCss: number): number {
  const x = xCss * l.dpr - l.gutter;
  const y = yCss * l.dpr - l.pad;
  if (x < 0 || y < 0) return -1;
  const col = Math.floor(x / l.pitchX);
  const row = Math.floor(y / l.pitchY);
  if (col >= l.cols || row >= l.rows) return -1;
  const i = row * l.cols + col;
  return i < buckets ? i : -1;
}

/** A cell's box in CSS pixels from the canvas's top left corner. */
export function cellBox(l: GridLayout, i: number): { x: number; y: number; w: number; h: number } {
  return {
    x: (l.gutter + (i % l.cols) * l.pitchX) / l.dpr,
    y: (l.pad + Math.floor(i / l.cols) * l.pitchY) / l.dpr,
    w: (l.pitchX - l.gap) / l.dpr,
    h: (l.pitchY - l.gap) / l.dpr,
  };
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

export interface Palette {
  /** Per class, indexed like OVERVIEW_CLASSES. */
  fills: (string | CanvasPattern)[];
  label: string;
  font: string;
  hover: string;
  focus: string;
}

/** Diagonal stripes in `color`, like the hole cells of the segment strip (web/components/MemoryMap.svelte). */
function hatch(ctx: CanvasRenderingContext2D, color: string, dpr: number): CanvasPattern | string {
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

/** The colours of web/app.css as they apply to `el` now (they follow the light or dark scheme). */
export function paletteFor(el: Element, ctx: CanvasRenderingContext2D, dpr: number): Palette {
  const css = getComputedStyle(el);
  const v = (name: string) => css.getPropertyValue(name).trim();
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
export function rowAddress(o: ClassOverview, l: GridLayout, row: number): number {
  return row * l.cols * o.pagesPerBucket * o.pageSize;
}

export interface Marks {
  /** The cell under the pointer, or -1. */
  hover: number;
  /** The keyboard's cell while the map has focus, or -1. */
  selected: number;
}

export function drawClassGrid(ctx: CanvasRenderingContext2D, o: ClassOverview, l: GridLayout, p: Palette, marks: Marks): void {
  ctx.clearRect(0, 0, l.width, l.height);
  const w = l.pitchX - l.gap;
  const h = l.pitchY - l.gap;
  for (let b = 0; b < o.buckets; b++) {
    const x = l.gutter + (b % l.cols) * l.pitchX;
    let y = l.pad + Math.floor(b / l.cols) * l.pitchY;
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
    if (i < 0 || i >= o.buckets) return;
    const x = l.gutter + (i % l.cols) * l.pitchX;
    const y = l.pad + Math.floor(i / l.cols) * l.pitchY;
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.strokeRect(x - width / 2, y - width / 2, w + width, h + width);
  };
  if (marks.hover !== marks.selected) ring(marks.hover, p.hover, Math.max(1, Math.round(1.5 * l.dpr)));
  ring(marks.selected, p.focus, Math.max(2, Math.round(2 * l.dpr)));
}
