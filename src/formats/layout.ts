import type { LoadSegment } from '../model/dump.js';

export interface PhysRange {
  physStart: number;
  physEnd: number;
}

/** Physical ranges below the highest PT_LOAD end that no PT_LOAD covers. */
export function physicalHoles(loads: readonly LoadSegment[]): PhysRange[] {
  const holes: PhysRange[] = [];
  let cursor = 0;
  for (const l of [...loads].sort((a, b) => a.physStart - b.physStart)) {
    if (l.physStart > cursor) holes.push({ physStart: cursor, physEnd: l.physStart });
    cursor = Math.max(cursor, l.physEnd);
  }
  return holes;
}

/** Bytes of physical memory covered by at least one PT_LOAD (overlaps counted once). */
export function coveredBytes(loads: readonly LoadSegment[]): number {
  let total = 0;
  let cursor = 0;
  for (const l of [...loads].sort((a, b) => a.physStart - b.physStart)) {
    const start = Math.max(cursor, l.physStart);
    if (l.physEnd > start) total += l.physEnd - start;
    cursor = Math.max(cursor, l.physEnd);
  }
  return total;
}
