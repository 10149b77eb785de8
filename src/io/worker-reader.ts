import { VmsieveError } from '../errors.js';
import type { PageExtents, SourceRef } from './source-ref.js';

/**
 * Where read bytes go: asked for at the moment of writing, because a view of wasm memory taken before an `await` is
 * dead if memory grew meanwhile.
 */
export type Destination = () => Uint8Array;

/** Reads of a dump from inside a compute worker. */
export interface WorkerReader {
  /** Fills `dest()` with the bytes of `ref` from `offset` on. */
  readInto(ref: SourceRef, offset: number, dest: Destination): void | Promise<void>;
  /**
   * Extents this close together (in bytes) are read in one call, gap included: worth it where every call has a
   * fixed cost far above copying the gap (a browser Blob read), not where a call is a cheap pread.
   */
  readonly mergeGap: number;
}

/** mergeGap for pread: one costs about as much as copying a few pages. */
export const PREAD_MERGE_GAP = 16 << 10;
/** mergeGap for a Blob read: each is a round trip to the browser's blob store, about as long as reading half a MiB. */
export const BLOB_MERGE_GAP = 1 << 20;

/** Fills dest() (pages × pageSize bytes) from the extents, zero where an extent says so. */
export async function readExtents(reader: WorkerReader, input: Pick<PageExtents, 'ref' | 'extents'>, dest: Destination): Promise<void> {
  const e = input.extents;
  let total = 0;
  for (let i = 1; i < e.length; i += 2) total += e[i]!;
  if (total !== dest().length) throw new RangeError(`page extents cover ${total} bytes of a ${dest().length}-byte window`);
  let at = 0;
  for (let i = 0; i < e.length; ) {
    const offset = e[i]!;
    if (offset === -1) {
      dest().fill(0, at, at + e[i + 1]!);
      at += e[i + 1]!;
      i += 2;
      continue;
    }
    // The run of file extents that one read can cover: each starts at most mergeGap bytes after the previous ends.
    let j = i + 2;
    let end = offset + e[i + 1]!;
    while (j < e.length && e[j]! !== -1 && e[j]! >= end && e[j]! - end <= reader.mergeGap) {
      end = e[j]! + e[j + 1]!;
      j += 2;
    }
    if (j === i + 2) {
      const [from, to] = [at, at + e[i + 1]!];
      await reader.readInto(input.ref, offset, () => dest().subarray(from, to));
      at = to;
    } else {
      const span = new Uint8Array(end - offset);
      await reader.readInto(input.ref, offset, () => span);
      const out = dest();
      for (let k = i; k < j; k += 2) {
        out.set(span.subarray(e[k]! - offset, e[k]! - offset + e[k + 1]!), at);
        at += e[k + 1]!;
      }
    }
    i = j;
  }
}

/** The extents of bytes [from, to) of what `extents` describe. */
export function sliceExtents(extents: Float64Array, from: number, to: number): Float64Array {
  const out: number[] = [];
  for (let i = 0, at = 0; i < extents.length && at < to; i += 2) {
    const [offset, length] = [extents[i]!, extents[i + 1]!];
    const [a, b] = [Math.max(from, at), Math.min(to, at + length)];
    if (a < b) out.push(offset === -1 ? -1 : offset + a - at, b - a);
    at += length;
  }
  return Float64Array.from(out);
}

export function truncatedRead(source: Pick<SourceRef, 'name'>, offset: number): VmsieveError {
  return new VmsieveError('E_TRUNCATED', `${source.name}: unexpected end of file at ${offset}`);
}
