import { VmsieveError } from '../errors.js';
import type { PageExtents, SourceRef } from './source-ref.js';

/** Fills `dest` with the bytes of `ref` from `offset` on, synchronously (a compute worker has nothing else to do meanwhile). */
export type ReadAt = (ref: SourceRef, offset: number, dest: Uint8Array) => void;

/** Fills dest (pages × pageSize bytes) from the extents, zero where an extent says so. */
export function readExtents(readAt: ReadAt, input: PageExtents, dest: Uint8Array): void {
  const { extents } = input;
  let at = 0;
  for (let i = 0; i < extents.length; i += 2) {
    const offset = extents[i]!;
    const length = extents[i + 1]!;
    if (at + length > dest.length) throw new RangeError(`page extents (${at + length} bytes) overflow the ${dest.length}-byte window`);
    const part = dest.subarray(at, at + length);
    if (offset === -1) part.fill(0);
    else readAt(input.ref, offset, part);
    at += length;
  }
  if (at !== dest.length) throw new RangeError(`page extents cover ${at} bytes of a ${dest.length}-byte window`);
}

export function truncatedRead(ref: SourceRef, offset: number): VmsieveError {
  return new VmsieveError('E_TRUNCATED', `${ref.name}: unexpected end of file at ${offset}`);
}
