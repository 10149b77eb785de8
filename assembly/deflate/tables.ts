// Static tables of RFC 1951 (DEFLATE), built once from the specification's
// §3.2.5 length/distance tables and §3.2.6 fixed Huffman code.
// All storage is static linear memory (memory.data), so nothing is allocated.

/** Base match length of length symbols 257..285 (index = symbol - 257), RFC 1951 §3.2.5. */
export const LEN_BASE: usize = memory.data<u16>([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
  35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
]);
/** Extra bits of length symbols 257..285. */
export const LEN_EXTRA: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
  3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
/** Base distance of distance codes 0..29. */
export const DIST_BASE: usize = memory.data<u16>([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
  257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
]);
/** Order in which code-length code lengths are sent (RFC 1951 §3.2.7). */
export const CL_ORDER: usize = memory.data<u8>([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

/**
 * Per match length 0..258: u32 = (symbol - 257) | extraBits << 8 | (length - base) << 16.
 * Entries 0..2 are unused (deflate matches are at least 3 long).
 */
export const LEN_INFO: usize = memory.data(259 * 4, 16);
/** Byte bit-reversal table, used to turn canonical codes into LSB-first order. */
export const REV8: usize = memory.data(256, 16);
/** Fixed literal/length code (RFC 1951 §3.2.6): u32 per symbol 0..287 = reversed code | length << 16. */
export const FIXED_LIT: usize = memory.data(288 * 4, 16);

let initialised = false;

// @ts-ignore: decorator
@inline export function reverseBits(code: u32, len: u32): u32 {
  const r = (<u32>load<u8>(REV8 + (code & 0xff)) << 8) | <u32>load<u8>(REV8 + ((code >> 8) & 0xff));
  return r >> (16 - len);
}

/** Fills the computed tables; cheap and idempotent, called from every entry point. */
export function initTables(): void {
  if (initialised) return;
  for (let i: u32 = 0; i < 256; i++) {
    let r: u32 = 0;
    for (let b: u32 = 0; b < 8; b++) if (i & (1 << b)) r |= 1 << (7 - b);
    store<u8>(REV8 + i, <u8>r);
  }
  for (let s: u32 = 0; s < 28; s++) {
    const base = <u32>load<u16>(LEN_BASE + (s << 1));
    const eb = <u32>load<u8>(LEN_EXTRA + s);
    const top = base + (1 << eb);
    for (let l = base; l < top && l < 258; l++) {
      store<u32>(LEN_INFO + (l << 2), s | (eb << 8) | ((l - base) << 16));
    }
  }
  store<u32>(LEN_INFO + (258 << 2), 28); // length 258 is symbol 285 with no extra bits
  // Fixed literal/length code: 0..143 8 bits from 0x30, 144..255 9 bits from 0x190,
  // 256..279 7 bits from 0, 280..287 8 bits from 0xc0.
  for (let s: u32 = 0; s < 288; s++) {
    let len: u32, code: u32;
    if (s < 144) { len = 8; code = 0x30 + s; }
    else if (s < 256) { len = 9; code = 0x190 + (s - 144); }
    else if (s < 280) { len = 7; code = s - 256; }
    else { len = 8; code = 0xc0 + (s - 280); }
    store<u32>(FIXED_LIT + (s << 2), reverseBits(code, len) | (len << 16));
  }
  initialised = true;
}
