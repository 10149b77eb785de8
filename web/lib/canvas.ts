/**
 * Calls `changed` whenever the system switches between light and dark: canvases take their palette from CSS
 * variables at draw time, so they must repaint. Returns the unsubscribe, as an `$effect` wants it.
 */
export function onColorSchemeChange(changed: () => void): () => void {
  const mq = matchMedia('(prefers-color-scheme: dark)');
  mq.addEventListener('change', changed);
  return () => mq.removeEventListener('change', changed);
}

/** Sizes the canvas's backing store (device pixels, which also clears it) and returns its 2D context, if it has one. */
export function sizedContext(canvas: HTMLCanvasElement, size: { width: number; height: number }): CanvasRenderingContext2D | undefined {
  canvas.width = size.width;
  canvas.height = size.height;
  return canvas.getContext('2d') ?? undefined;
}

/** A repeating pattern from a square tile of about 6 CSS pixels that `draw` paints in `color`; `color` itself without a 2D context. */
export function tilePattern(ctx: CanvasRenderingContext2D, color: string, dpr: number, draw: (t: CanvasRenderingContext2D, side: number) => void): CanvasPattern | string {
  const side = Math.max(4, Math.round(6 * dpr));
  const tile = document.createElement('canvas');
  tile.width = tile.height = side;
  const t = tile.getContext('2d');
  if (!t) return color;
  t.fillStyle = t.strokeStyle = color;
  draw(t, side);
  return ctx.createPattern(tile, 'repeat') ?? color;
}
