import { pagesPerBucketFor } from '../../src/browser.js';

/** The pfns [start, end) a memory map shows; maps that zoom and pan together share one. */
export interface Viewport {
  start: number;
  end: number;
}

/** `v` moved to start at `start` (kept inside memory), `size` pfns wide. */
export function panned(v: Viewport, start: number, maxPfn: number, size = v.end - v.start): Viewport {
  const s = Math.max(0, Math.min(maxPfn - size, start));
  return { start: s, end: s + size };
}

/**
 * One zoom step of a map of `cells` cells: cells twice (factor 0.5) or half (2) as fine, keeping pfn `at` where it is;
 * never finer than one page per cell. The span leaves a cell to spare, so that the view fits its cells wherever it
 * starts.
 */
export function zoomed(v: Viewport, factor: number, maxPfn: number, cells: number, at = (v.start + v.end) / 2): Viewport {
  const span = v.end - v.start;
  const per = Math.max(1, pagesPerBucketFor(v.start, v.end, maxPfn, cells) * factor);
  const next = Math.min(maxPfn, Math.max(1, (cells - 1) * per));
  const rel = span > 0 ? (at - v.start) / span : 0.5;
  return panned(v, Math.round(at - rel * next), maxPfn, next);
}
