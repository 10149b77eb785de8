/**
 * LZO1X decoder for the raw streams makedumpfile `-l` stores (liblzo's lzo1x_1_compress, no header),
 * written from the stream description in the Linux kernel's Documentation/staging/lzo.rst.
 *
 * Safe on any input: every read and write is bounds-checked, every step consumes input (so it
 * terminates), and anything malformed throws an Error saying what and where. The LZO-RLE extension
 * (version 1, zram only) is not accepted: liblzo and makedumpfile never write it.
 */
import { copyBack, copyInput } from './lz-copy.js';

/** Distance of the end-of-stream marker: the 0001HLLL copy with H = 0 and a zero distance field. */
const END_OF_STREAM = 16384;

/** Decodes one LZO1X stream into at most `capacity` bytes; returns exactly the bytes it produced. */
export function lzoDecompress(src: Uint8Array, capacity: number): Uint8Array {
  const dst = new Uint8Array(capacity);
  let ip = 0;
  let op = 0;

  const byte = (): number => {
    if (ip >= src.length) throw new Error(`LZO stream ends early: ${src.length} bytes, no end-of-stream marker`);
    return src[ip++]!;
  };
  // A length field: its low bits, or when they are zero, their maximum plus 255 per zero byte plus the first nonzero byte.
  const lengthField = (low: number, max: number): number => {
    if (low !== 0) return low;
    let n = max;
    let b: number;
    while ((b = byte()) === 0) {
      n += 255;
      if (n > capacity) throw new Error(`LZO length at input byte ${ip} exceeds the ${capacity}-byte output`);
    }
    return n + b;
  };
  const copyLiterals = (n: number): void => {
    if (ip + n > src.length) throw new Error(`LZO stream ends early: ${n} literal bytes at input byte ${ip}, only ${src.length - ip} left`);
    if (op + n > capacity) throw new Error(`LZO output would exceed ${capacity} bytes (${n} literals at output byte ${op})`);
    copyInput(dst, op, src, ip, n);
    ip += n;
    op += n;
  };
  const copyMatch = (distance: number, n: number): void => {
    if (distance > op) throw new Error(`LZO match ${distance} bytes back at output byte ${op} reaches before the start of the output`);
    if (op + n > capacity) throw new Error(`LZO output would exceed ${capacity} bytes (a ${n}-byte match at output byte ${op})`);
    copyBack(dst, op, distance, n);
    op += n;
  };

  // How many literals the last instruction copied (0..3, or 4 for a run of 4 or more): it decides what 0000xxxx means next.
  let state = 0;
  const first = byte();
  if (first > 17) {
    // The first byte can only start with literals (there is no dictionary yet): 18.. copies first - 17 of them.
    const n = first - 17;
    copyLiterals(n);
    state = n < 4 ? n : 4;
  } else ip--; // 0..17 is an ordinary instruction

  for (;;) {
    const inst = byte();
    let trailing: number; // literals copied after a match, in its low two bits
    if (inst < 16) {
      if (state === 0) {
        // 0000LLLL after no literals: a run of 4 or more literals
        copyLiterals(3 + lengthField(inst & 15, 15));
        state = 4;
        continue;
      }
      // 0000DDSS + H: 2 bytes within 1 KiB after 1..3 literals, 3 bytes 2049.. back after a literal run
      const distance = (byte() << 2) + ((inst >> 2) & 3) + (state === 4 ? 2049 : 1);
      copyMatch(distance, state === 4 ? 3 : 2);
      trailing = inst & 3;
    } else if (inst < 32) {
      // 0001HLLL + LE16: 16 KiB..48 KiB back; distance 16384 ends the stream
      const n = 2 + lengthField(inst & 7, 7);
      const le = byte() | (byte() << 8);
      const distance = END_OF_STREAM + ((inst & 8) << 11) + (le >> 2);
      if (distance === END_OF_STREAM) break;
      copyMatch(distance, n);
      trailing = le & 3;
    } else if (inst < 64) {
      // 001LLLLL + LE16: within 16 KiB
      const n = 2 + lengthField(inst & 31, 31);
      const le = byte() | (byte() << 8);
      copyMatch((le >> 2) + 1, n);
      trailing = le & 3;
    } else {
      // 01LDDDSS or 1LLDDDSS + H: 3..4 or 5..8 bytes within 2 KiB
      const n = inst >= 128 ? 5 + ((inst >> 5) & 3) : 3 + ((inst >> 5) & 1);
      copyMatch((byte() << 3) + ((inst >> 2) & 7) + 1, n);
      trailing = inst & 3;
    }
    copyLiterals(trailing);
    state = trailing;
  }
  if (ip !== src.length) throw new Error(`LZO stream ends at input byte ${ip} but ${src.length - ip} more bytes follow`);
  return op === capacity ? dst : dst.subarray(0, op);
}
