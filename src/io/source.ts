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
