import { VmsieveError } from '../errors.js';
import type { SourceRef } from './source-ref.js';
import type { Destination } from './worker-reader.js';

/** Random-access reads of a dump that may be far larger than memory. Offsets are byte positions (< 2^53). */
export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Reads exactly `length` bytes at `offset`; fails with E_TRUNCATED if the source ends first. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Fills `dest()` with the bytes at `offset`, straight from the file (no buffer of its own), where the source can. */
  readInto?(offset: number, dest: Destination): Promise<void>;
  close?(): Promise<void>;
  /** A handle compute workers can read the same bytes through, when the source has one. */
  ref?(): SourceRef | undefined;
  /**
   * Where bytes [offset, offset + length) lie in a file compute workers can read, for a source that is not such a
   * file as it is (a flattened file): (offset, length) pairs there, -1 for bytes that read as zero.
   */
  locate?(offset: number, length: number): { ref: SourceRef; extents: number[] } | undefined;
}

/** Appends (offset, length) to extents `out` (offset -1: bytes that read as zero), merged into the last one where it continues it. */
export function appendExtent(out: number[], offset: number, length: number): void {
  const n = out.length;
  if (n > 0 && (offset === -1 ? out[n - 2] === -1 : out[n - 2] !== -1 && out[n - 2]! + out[n - 1]! === offset)) out[n - 1]! += length;
  else out.push(offset, length);
}

/**
 * Where the byte ranges `spans` (offset, length) of `source` lie, back to back, in the file its ref() or locate()
 * names; adjacent extents merged. Undefined when compute workers cannot read the source.
 */
export function locateSpans(source: ByteSource, spans: readonly (readonly [offset: number, length: number])[]): { ref: SourceRef; extents: Float64Array } | undefined {
  const out: number[] = [];
  const push = (offset: number, length: number) => appendExtent(out, offset, length);
  let ref = source.locate ? undefined : source.ref?.();
  if (!source.locate && !ref) return undefined;
  for (const [offset, length] of spans) {
    if (!source.locate) {
      push(offset, length);
      continue;
    }
    const found = source.locate(offset, length);
    if (!found) return undefined;
    ref = found.ref;
    for (let i = 0; i < found.extents.length; i += 2) push(found.extents[i]!, found.extents[i + 1]!);
  }
  return ref && { ref, extents: Float64Array.from(out) };
}

export function truncated(source: ByteSource, offset: number, length: number, what: string): VmsieveError {
  return new VmsieveError(
    'E_TRUNCATED',
    `${source.name} is truncated: ${what} needs bytes ${offset}..${offset + length} but the file has ${source.size} bytes`,
    { offset, length, size: source.size },
  );
}

export function checkRange(source: ByteSource, offset: number, length: number, what: string): void {
  if (offset < 0 || length < 0 || offset + length > source.size) throw truncated(source, offset, length, what);
}

export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(private readonly bytes: Uint8Array, readonly name = 'memory') {
    this.size = bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length, 'read');
    return this.bytes.subarray(offset, offset + length);
  }
}
