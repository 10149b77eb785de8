/** makedumpfile's cyclic buffer holds both bitmaps in at most 4 MiB (calculate_cyclic_buffer_size; free memory assumed ample). */
const MAX_CYCLIC_BUFFER = 4 * 1024 * 1024;

/**
 * How makedumpfile keeps its bitmaps: 'file' when its buffer, max_mapnr * 2 / 8 bytes rounded down, holds both
 * bitmaps of max_mapnr counted from the PT_LOADs — so max_mapnr is a multiple of 4 and at most 16 Mi pfns ("enough
 * free memory to be done in one cycle", flag_cyclic off, bitmaps in a temporary file); 'cyclic' otherwise (bitmaps
 * rebuilt in memory per cycle). --split divides the buffer among its files, so it always runs cyclic.
 */
export type BitmapMode = 'file' | 'cyclic';

export function bitmapMode(maxPfnFromLoads: number): BitmapMode {
  const buffer = Math.min(MAX_CYCLIC_BUFFER, Math.floor((maxPfnFromLoads * 2) / 8));
  return buffer * 8 >= maxPfnFromLoads * 2 ? 'file' : 'cyclic';
}
