/**
 * Snappy raw-block decoder (makedumpfile `-p` stores each page as one block, no framing), written
 * from google/snappy's format_description.txt.
 *
 * Safe on any input: the preamble's length is checked against the capacity before anything is
 * allocated, every read and write is bounds-checked, every element consumes input (so it
 * terminates), and anything malformed throws an Error saying what and where.
 */
import { copyBack, copyInput } from './lz-copy.js';

/** Decodes one snappy block whose preamble promises at most `capacity` bytes; returns exactly that many. */
export function snappyDecompress(src: Uint8Array, capacity: number): Uint8Array {
  let ip = 0;
  const need = (n: number, what: string): void => {
    if (ip + n > src.length) throw new Error(`snappy block ends early: ${what} at input byte ${ip} needs ${n} bytes, ${src.length - ip} left`);
  };
  // Little-endian unsigned integer of `k` bytes (1..4), by multiplication so 32-bit values stay positive.
  const littleEndian = (k: number): number => {
    let v = 0;
    for (let i = 0, scale = 1; i < k; i++, scale *= 256) v += src[ip + i]! * scale;
    ip += k;
    return v;
  };

  // Preamble: the uncompressed length as a varint of at most 5 bytes (the value fits 32 bits).
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (shift > 28) throw new Error('snappy length varint is longer than 5 bytes');
    need(1, 'the length varint');
    const b = src[ip++]!;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > 0xffff_ffff) throw new Error(`snappy length ${length} does not fit 32 bits`);
  if (length > capacity) throw new Error(`snappy block claims ${length} bytes, more than ${capacity}`);

  const dst = new Uint8Array(length);
  let op = 0;
  while (ip < src.length) {
    const tag = src[ip++]!;
    const kind = tag & 3;
    if (kind === 0) {
      // Literal: len-1 in the tag's upper six bits, or when those are 60..63, in the next 1..4 bytes.
      let n = tag >>> 2;
      if (n >= 60) {
        need(n - 59, 'a literal length');
        n = littleEndian(n - 59);
      }
      n += 1;
      need(n, `a ${n}-byte literal`);
      if (op + n > length) throw new Error(`snappy literal of ${n} bytes at output byte ${op} overruns the promised ${length} bytes`);
      copyInput(dst, op, src, ip, n);
      ip += n;
      op += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      // Copy, 1-byte offset: length 4..11 in bits 2..4, offset's upper three bits in bits 5..7.
      need(1, 'a copy offset');
      n = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | src[ip++]!;
    } else {
      // Copy, 2- or 4-byte little-endian offset: length 1..64 in bits 2..7.
      const k = kind === 2 ? 2 : 4;
      need(k, 'a copy offset');
      n = (tag >>> 2) + 1;
      offset = littleEndian(k);
    }
    if (offset === 0) throw new Error(`snappy copy at output byte ${op} has offset 0`);
    if (offset > op) throw new Error(`snappy copy ${offset} bytes back at output byte ${op} reaches before the start of the output`);
    if (op + n > length) throw new Error(`snappy copy of ${n} bytes at output byte ${op} overruns the promised ${length} bytes`);
    copyBack(dst, op, offset, n);
    op += n;
  }
  if (op !== length) throw new Error(`snappy block ends after ${op} of the promised ${length} bytes`);
  return dst;
}
