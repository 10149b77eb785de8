import { checkRange, type ByteSource } from '../../src/io/source.js';

export interface Patch {
  at: number;
  bytes: Uint8Array;
}

/**
 * A dump with some bytes replaced, its end cut or bytes appended, without copying the base: the fuzz tests make
 * thousands of these from one multi-megabyte dump. Records every read so a clean run shows which bytes matter.
 */
export class MutatedSource implements ByteSource {
  readonly size: number;
  readonly reads: Array<[number, number]> = [];
  /** The largest single read asked for: readers must not trust a header's size to allocate. */
  largestRead = 0;

  constructor(
    private readonly base: Uint8Array,
    private readonly patches: readonly Patch[] = [],
    size = base.length,
    readonly name = 'fuzz.vmcore',
    private readonly record = false,
  ) {
    this.size = size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length, 'read');
    this.largestRead = Math.max(this.largestRead, length);
    if (this.record) this.reads.push([offset, length]);
    const out = new Uint8Array(length);
    const end = offset + length;
    if (offset < this.base.length) out.set(this.base.subarray(offset, Math.min(end, this.base.length)));
    for (const p of this.patches) {
      const from = Math.max(offset, p.at);
      const to = Math.min(end, p.at + p.bytes.length);
      if (from < to) out.set(p.bytes.subarray(from - p.at, to - p.at), from - offset);
    }
    return out;
  }
}
