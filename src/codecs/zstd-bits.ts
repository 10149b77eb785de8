/**
 * Bit readers for zstd (RFC 8878 §4.1): FSE table descriptions are read forwards from the lowest
 * bit of the first byte; Huffman and FSE streams are read backwards from a 1-bit end marker in
 * their last byte. Both only ever read inside the byte range they were given.
 */

/** `n` (0..24) bits of `src[start, end)` starting at stream bit `lo` (bit 0 = lowest bit of src[start]); bits past `end` read as 0. */
function bitsAt(src: Uint8Array, start: number, end: number, lo: number, n: number): number {
  const i = start + (lo >>> 3);
  let word = 0;
  for (let k = 3; k >= 0; k--) word = (word << 8) | (i + k < end ? src[i + k]! : 0);
  return ((word >>> (lo & 7)) & ((1 << n) - 1)) >>> 0;
}

/** Forward reader over `src[start, end)` (FSE table descriptions). */
export class ForwardBits {
  /** Bits consumed so far. */
  pos = 0;
  constructor(
    private readonly src: Uint8Array,
    private readonly start: number,
    private readonly end: number,
    private readonly what: string,
  ) {}

  /** The next `n` (0..24) bits, not consumed; throws when they run past the end. */
  peek(n: number): number {
    if (this.pos + n > (this.end - this.start) * 8) throw new Error(`zstd ${this.what} is truncated`);
    return bitsAt(this.src, this.start, this.end, this.pos, n);
  }

  read(n: number): number {
    const v = this.peek(n);
    this.pos += n;
    return v;
  }

  /** Whole bytes used (the description ends byte-aligned). */
  get bytesUsed(): number {
    return (this.pos + 7) >>> 3;
  }
}

/**
 * Backward reader over `src[start, end)`: starts below the highest set bit of the last byte (the
 * end marker) and reads towards bit 0. Reading below bit 0 yields zeros and marks the stream
 * overflowed, which callers treat as corruption (or, for Huffman weights, as the end).
 */
export class BackwardBits {
  /** Bits left to read; negative once the stream has been over-read. */
  pos: number;
  constructor(
    private readonly src: Uint8Array,
    private readonly start: number,
    private readonly end: number,
    what: string,
  ) {
    if (end <= start) throw new Error(`zstd ${what} is empty`);
    const last = src[end - 1]!;
    if (last === 0) throw new Error(`zstd ${what} has no end marker (its last byte is 0)`);
    this.pos = (end - start - 1) * 8 + (31 - Math.clz32(last));
  }

  /** The next `n` (0..24) bits, not consumed; zeros stand in for bits below bit 0. */
  peek(n: number): number {
    const lo = this.pos - n;
    if (lo >= 0) return bitsAt(this.src, this.start, this.end, lo, n);
    if (this.pos <= 0) return 0;
    return bitsAt(this.src, this.start, this.end, 0, this.pos) * 2 ** -lo;
  }

  read(n: number): number {
    const v = this.peek(n);
    this.pos -= n;
    return v;
  }

  /** Up to 32 bits (offset extra bits reach 31), as two reads. */
  readLong(n: number): number {
    if (n <= 24) return this.read(n);
    const high = this.read(n - 16);
    return high * 65536 + this.read(16);
  }

  get overflowed(): boolean {
    return this.pos < 0;
  }
}
