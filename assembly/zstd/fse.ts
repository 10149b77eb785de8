// FSE encoding for zstd sequences with the predefined distributions (RFC 8878 §3.1.1.3.2.2),
// and the literal-length / match-length / offset code tables (§3.1.1.3.2.1).
//
// An FSE decoding table (§4.1.1) gives each state u a symbol s, and the states holding s, taken in
// increasing order, get "next state" values c, c+1, ..., 2c-1 (c = the symbol's normalized count,
// 1 for a "-1" count). Cell k covers decoder states [(k << nb) - T, (k + 1 << nb) - T) with
// nb = AL - highbit(k); together a symbol's cells tile [0, T). The encoder, which runs backwards,
// finds the cell of symbol s that covers the state it must reach: v = state + T, nb bits out,
// k = v >> nb, new state = the (k - c)-th state of s.

export const LL_AL: u32 = 6;
export const ML_AL: u32 = 6;
export const OF_AL: u32 = 5;

// prettier-ignore
const LL_NORM = memory.data<i16>([
  4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1,
  -1, -1, -1, -1,
]);
// prettier-ignore
const ML_NORM = memory.data<i16>([
  1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1,
  -1, -1, -1, -1, -1,
]);
// prettier-ignore
const OF_NORM = memory.data<i16>([
  1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1,
]);

// Literal-length codes: baseline and extra bits.
// prettier-ignore
export const LL_BASE = memory.data<u32>([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096,
  8192, 16384, 32768, 65536,
]);
// prettier-ignore
export const LL_BITS = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12,
  13, 14, 15, 16,
]);
// Match-length codes: baseline (of the match length itself) and extra bits.
// prettier-ignore
export const ML_BASE = memory.data<u32>([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
  19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
  35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051,
  4099, 8195, 16387, 32771, 65539,
]);
// prettier-ignore
export const ML_BITS = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11,
  12, 13, 14, 15, 16,
]);

// Per-type encoding tables: count (u16), maxBits (u16), first cell (u16) per symbol; cells (u16).
export const LL_SYM: usize = memory.data(36 * 8);
export const ML_SYM: usize = memory.data(53 * 8);
export const OF_SYM: usize = memory.data(29 * 8);
export const LL_CELLS: usize = memory.data(64 * 2);
export const ML_CELLS: usize = memory.data(64 * 2);
export const OF_CELLS: usize = memory.data(32 * 2);
/** Code of each literal length 0..63 and of each match length - 3 in 0..127. */
const LL_CODE_SMALL: usize = memory.data(64);
const ML_CODE_SMALL: usize = memory.data(128);

let ready = false;

export function buildTable(norm: usize, nsym: u32, al: u32, sym: usize, cells: usize): void {
  const size: u32 = 1 << al;
  const spread = memory.data(512); // symbol of each state
  let high = size - 1;
  for (let s: u32 = 0; s < nsym; s++) {
    if (load<i16>(norm + (<usize>s << 1)) == -1) store<u8>(spread + high--, <u8>s);
  }
  const step = (size >> 1) + (size >> 3) + 3;
  const mask = size - 1;
  let pos: u32 = 0;
  for (let s: u32 = 0; s < nsym; s++) {
    const c = <i32>load<i16>(norm + (<usize>s << 1));
    for (let i = 0; i < c; i++) {
      store<u8>(spread + pos, <u8>s);
      do pos = (pos + step) & mask;
      while (pos > high);
    }
  }
  let start: u32 = 0;
  for (let s: u32 = 0; s < nsym; s++) {
    const n = <i32>load<i16>(norm + (<usize>s << 1));
    const c: u32 = n == -1 ? 1 : <u32>n;
    const e = sym + (<usize>s << 3);
    store<u16>(e, <u16>c);
    store<u16>(e, <u16>(al - (31 - clz(c))), 2);
    store<u16>(e, <u16>start, 4);
    store<u16>(e, 0, 6); // fill counter
    start += c;
  }
  for (let u: u32 = 0; u < size; u++) {
    const e = sym + (<usize>load<u8>(spread + u) << 3);
    const k = load<u16>(e, 6);
    store<u16>(cells + ((<usize>load<u16>(e, 4) + k) << 1), <u16>u);
    store<u16>(e, k + 1, 6);
  }
}

export function fseInit(): void {
  if (ready) return;
  buildTable(LL_NORM, 36, LL_AL, LL_SYM, LL_CELLS);
  buildTable(ML_NORM, 53, ML_AL, ML_SYM, ML_CELLS);
  buildTable(OF_NORM, 29, OF_AL, OF_SYM, OF_CELLS);
  for (let code: u32 = 0; code < 36; code++) {
    const base = load<u32>(LL_BASE + (<usize>code << 2));
    const top = base + (1 << load<u8>(LL_BITS + code));
    for (let v = base; v < top && v < 64; v++) store<u8>(LL_CODE_SMALL + v, <u8>code);
  }
  for (let code: u32 = 0; code < 53; code++) {
    const base = load<u32>(ML_BASE + (<usize>code << 2)) - 3;
    const top = base + (1 << load<u8>(ML_BITS + code));
    for (let v = base; v < top && v < 128; v++) store<u8>(ML_CODE_SMALL + v, <u8>code);
  }
  ready = true;
}

// @ts-ignore: decorator
@inline export function llCode(ll: u32): u32 {
  return ll < 64 ? <u32>load<u8>(LL_CODE_SMALL + ll) : 50 - clz(ll); // highbit + 19
}

/** Code of a match length (>= 3). */
// @ts-ignore: decorator
@inline export function mlCode(ml: u32): u32 {
  const b = ml - 3;
  return b < 128 ? <u32>load<u8>(ML_CODE_SMALL + b) : 67 - clz(b); // highbit + 36
}
