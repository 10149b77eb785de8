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
   * `length` bytes of `ref` from `offset` on (a read across gaps, whose pages are picked out): valid until the next
   * read, since a synchronous reader lands every read in one buffer.
   */
  read(ref: SourceRef, offset: number, length: number): Uint8Array | Promise<Uint8Array>;
  /**
   * Extents this close together (in bytes) are read in one call, gap included: worth it where every call has a
   * fixed cost far above copying the gap (a browser Blob read), not where a call is a cheap pread.
   */
  readonly mergeGap: number;
  /** Reads one task may have in flight at once: more than 1 where a read waits on another process (a Blob read). */
  readonly parallelReads: number;
  /**
   * Bytes a task that works on its pages as they arrive reads at a time. Small where a read is a synchronous copy
   * (pread): into a buffer that stays in the core's cache it costs about half what it does into a 16 MiB window, and
   * the bytes are still cached when worked on. Unset where each read is a round trip (a Blob read): the whole task at once.
   */
  readonly stepBytes?: number;
}

/** mergeGap for pread: one costs about as much as copying a few pages. */
export const PREAD_MERGE_GAP = 16 << 10;
/** stepBytes for pread: well inside a core's L2 cache (512 KiB to 2 MiB on current x86 and arm64 cores). */
export const PREAD_STEP_BYTES = 256 << 10;
/** mergeGap for a Blob read: each is a round trip to the browser's blob store, about as long as reading half a MiB. */
export const BLOB_MERGE_GAP = 1 << 20;
/** Blob reads in flight per task: Chromium serves a few at once faster than one after another. */
export const BLOB_PARALLEL_READS = 4;
/**
 * The most bytes one read across gaps may span: sparse pages with gaps just under mergeGap would otherwise make a
 * task's read thousands of times its pages. Reads this large already run at the source's full speed.
 */
export const MAX_MERGED_READ = 8 << 20;

/** Fills dest() (pages × pageSize bytes) from the extents, zero where an extent says so. */
export async function readExtents(reader: WorkerReader, input: Pick<PageExtents, 'ref' | 'extents'>, dest: Destination): Promise<void> {
  const e = input.extents;
  let total = 0;
  for (let i = 1; i < e.length; i += 2) total += e[i]!;
  if (total !== dest().length) throw new RangeError(`page extents cover ${total} bytes of a ${dest().length}-byte window`);
  // Reads still to land, oldest first; a synchronous reader (pread) never leaves one.
  const inFlight: Promise<void>[] = [];
  const then = <T>(read: T | Promise<T>, land: (value: T) => void): void => {
    if (!(read instanceof Promise)) return land(read);
    const landed = read.then(land);
    landed.catch(() => undefined); // awaited below; a second failure after the first is not unhandled
    inFlight.push(landed);
  };
  try {
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
      while (j < e.length && e[j]! !== -1 && e[j]! >= end && e[j]! - end <= reader.mergeGap && e[j]! + e[j + 1]! - offset <= MAX_MERGED_READ) {
        end = e[j]! + e[j + 1]!;
        j += 2;
      }
      if (inFlight.length >= reader.parallelReads) await inFlight.shift();
      const [first, last, into] = [i, j, at];
      if (j === i + 2) then(reader.readInto(input.ref, offset, () => dest().subarray(into, into + e[first + 1]!)), () => undefined);
      else
        then(reader.read(input.ref, offset, end - offset), (span) => {
          const out = dest();
          for (let k = first, to = into; k < last; k += 2) {
            out.set(span.subarray(e[k]! - offset, e[k]! - offset + e[k + 1]!), to);
            to += e[k + 1]!;
          }
        });
      for (let k = i; k < j; k += 2) at += e[k + 1]!;
      i = j;
    }
    await Promise.all(inFlight);
  } catch (err) {
    // No read may land in the window after it is handed back.
    await Promise.allSettled(inFlight);
    throw err;
  }
}

/**
 * The extents of what `extents` describe, taken from the start in consecutive pieces: each call gives the next
 * `bytes` bytes' (fewer at the end).
 */
export function extentSteps(extents: Float64Array): (bytes: number) => Float64Array {
  let i = 0;
  let used = 0; // bytes of extent i taken so far
  return (bytes) => {
    const out: number[] = [];
    while (bytes > 0 && i < extents.length) {
      const [offset, length] = [extents[i]!, extents[i + 1]!];
      const n = Math.min(bytes, length - used);
      out.push(offset === -1 ? -1 : offset + used, n);
      bytes -= n;
      used += n;
      if (used === length) [i, used] = [i + 2, 0];
    }
    return Float64Array.from(out);
  };
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
