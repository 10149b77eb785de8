/**
 * A virtual list of equal rows: only the rows in view, plus a margin, are in the DOM; the rest is a spacer's height.
 * All lengths in CSS pixels.
 */

/** Every row is exactly this tall. */
export const ROW = 20;
const OVERSCAN = 12;

/** The positions to render, first (inclusive) to last (exclusive), for a view `height` tall scrolled to `top`. */
export function rowWindow(top: number, height: number, count: number): { first: number; last: number } {
  return {
    first: Math.max(0, Math.floor(top / ROW) - OVERSCAN),
    last: Math.min(count, Math.ceil((top + height) / ROW) + OVERSCAN),
  };
}

/** The scroll position that shows row `p`, centred, or null when it is in view already. */
export function revealTop(p: number, top: number, height: number): number | null {
  const y = p * ROW;
  if (y >= top && y + ROW <= top + height) return null;
  return Math.max(0, y - (height - ROW) / 2);
}

/** Where a scrolling key takes the list (the browser clamps it), or null for another key. */
export function scrollForKey(key: string, el: { scrollTop: number; clientHeight: number; scrollHeight: number }): number | null {
  const page = Math.max(ROW, Math.floor(el.clientHeight / ROW - 1) * ROW);
  switch (key) {
    case 'PageDown':
      return el.scrollTop + page;
    case 'PageUp':
      return el.scrollTop - page;
    case 'Home':
      return 0;
    case 'End':
      return el.scrollHeight;
    case 'ArrowDown':
      return el.scrollTop + ROW;
    case 'ArrowUp':
      return el.scrollTop - ROW;
    default:
      return null;
  }
}
