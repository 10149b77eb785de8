// Length-limited Huffman code lengths and canonical codes for DEFLATE (RFC 1951 §3.2.2).
//
// Code lengths come from Moffat & Katajainen's in-place minimum-redundancy algorithm
// ("In-place calculation of minimum-redundancy codes", 1995) over the symbols sorted by
// frequency; when the longest code exceeds the limit, lengths are clamped and the Kraft sum
// is repaired by lengthening the deepest codes that still fit (the usual "overflow fix").
// Every code produced is complete (at least two symbols get a code), which every inflater accepts.

import { reverseBits } from "./tables";

const MAX_SYMS: u32 = 288;
/** Sorted keys: (frequency << 9) | symbol. */
const KEYS: usize = memory.data(MAX_SYMS * 4, 16);
const KEYS2: usize = memory.data(MAX_SYMS * 4, 16);
/** Weights, then code lengths, in sorted order (Moffat–Katajainen work array). */
const W: usize = memory.data(MAX_SYMS * 4, 16);
const HIST: usize = memory.data(256 * 4, 16);
const BL_COUNT: usize = memory.data(32 * 4, 16);
const NEXT_CODE: usize = memory.data(32 * 4, 16);

// @ts-ignore: decorator
@inline function getW(i: i32): u32 { return load<u32>(W + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function setW(i: i32, v: u32): void { store<u32>(W + (<usize>i << 2), v); }

/** One stable counting-sort pass of `m` keys from `src` to `dst` on the byte at bit `shift`. */
function radixPass(src: usize, dst: usize, m: u32, shift: u32): void {
  memory.fill(HIST, 0, 256 * 4);
  for (let i: u32 = 0; i < m; i++) {
    const h = HIST + (((load<u32>(src + (i << 2)) >> shift) & 0xff) << 2);
    store<u32>(h, load<u32>(h) + 1);
  }
  let sum: u32 = 0;
  for (let i: u32 = 0; i < 256; i++) {
    const c = load<u32>(HIST + (i << 2));
    store<u32>(HIST + (i << 2), sum);
    sum += c;
  }
  for (let i: u32 = 0; i < m; i++) {
    const k = load<u32>(src + (i << 2));
    const h = HIST + (((k >> shift) & 0xff) << 2);
    const pos = load<u32>(h);
    store<u32>(h, pos + 1);
    store<u32>(dst + (pos << 2), k);
  }
}

/**
 * Writes a code length (0..maxBits) per symbol to `lens` (u8 × n) for the u32 frequencies at
 * `freq`. n ≤ 288, maxBits ≤ 15. Symbols with frequency 0 get length 0, except that at least
 * two symbols always get a code (RFC 1951 needs one distance code even when none is used; a
 * complete two-code set is the form every decoder accepts).
 */
export function buildLengths(freq: usize, n: u32, maxBits: u32, lens: usize): void {
  memory.fill(lens, 0, n);
  let m: u32 = 0;
  let maxF: u32 = 0;
  for (let s: u32 = 0; s < n; s++) {
    // Skip four unused symbols at a time (small pages use few symbols).
    if ((s & 3) == 0 && s + 4 <= n && !v128.any_true(v128.load(freq + (s << 2)))) {
      s += 3;
      continue;
    }
    let f = load<u32>(freq + (s << 2));
    if (f != 0) {
      if (f > 0xffff) f = 0xffff;
      if (f > maxF) maxF = f;
      store<u32>(KEYS + (m << 2), (f << 9) | s);
      m++;
    }
  }
  if (m < 2) {
    // Zero or one symbol used: give it and one more symbol a 1-bit code.
    const used: u32 = m == 1 ? load<u32>(KEYS) & 0x1ff : 0;
    store<u8>(lens + used, 1);
    store<u8>(lens + (used == 0 ? 1 : 0), 1);
    return;
  }
  // Sort keys by frequency (ties by symbol).
  let sorted = KEYS;
  if (m <= 24) {
    for (let i: u32 = 1; i < m; i++) {
      const k = load<u32>(KEYS + (i << 2));
      let j = i;
      while (j > 0) {
        const prev = load<u32>(KEYS + ((j - 1) << 2));
        if (prev <= k) break;
        store<u32>(KEYS + (j << 2), prev);
        j--;
      }
      store<u32>(KEYS + (j << 2), k);
    }
  } else {
    radixPass(KEYS, KEYS2, m, 9);
    sorted = KEYS2;
    if (maxF > 0xff) {
      radixPass(KEYS2, KEYS, m, 17);
      sorted = KEYS;
    }
  }
  for (let i: u32 = 0; i < m; i++) store<u32>(W + (i << 2), load<u32>(sorted + (i << 2)) >> 9);

  // Moffat–Katajainen, phase 1: build the tree in place (internal node weights, then parent links).
  const nn = <i32>m;
  setW(0, getW(0) + getW(1));
  let root: i32 = 0;
  let leaf: i32 = 2;
  for (let next: i32 = 1; next < nn - 1; next++) {
    if (leaf >= nn || getW(root) < getW(leaf)) {
      setW(next, getW(root));
      setW(root, <u32>next);
      root++;
    } else {
      setW(next, getW(leaf));
      leaf++;
    }
    if (leaf >= nn || (root < next && getW(root) < getW(leaf))) {
      setW(next, getW(next) + getW(root));
      setW(root, <u32>next);
      root++;
    } else {
      setW(next, getW(next) + getW(leaf));
      leaf++;
    }
  }
  // Phase 2: internal node depths.
  setW(nn - 2, 0);
  for (let next: i32 = nn - 3; next >= 0; next--) setW(next, getW(<i32>getW(next)) + 1);
  // Phase 3: leaf depths (code lengths), longest first at index 0.
  let avbl: i32 = 1;
  let used: i32 = 0;
  let depth: u32 = 0;
  root = nn - 2;
  let nextLeaf: i32 = nn - 1;
  while (avbl > 0) {
    while (root >= 0 && getW(root) == depth) {
      used++;
      root--;
    }
    while (avbl > used) {
      setW(nextLeaf, depth);
      nextLeaf--;
      avbl--;
    }
    avbl = 2 * used;
    depth++;
    used = 0;
  }

  if (getW(0) <= maxBits) {
    for (let i: u32 = 0; i < m; i++) {
      store<u8>(lens + (load<u32>(sorted + (i << 2)) & 0x1ff), <u8>load<u32>(W + (i << 2)));
    }
    return;
  }
  // Too deep: clamp, then repair the Kraft sum Σ 2^(maxBits-len) ≤ 2^maxBits.
  memory.fill(BL_COUNT, 0, 32 * 4);
  for (let i: u32 = 0; i < m; i++) {
    let l = load<u32>(W + (i << 2));
    if (l > maxBits) l = maxBits;
    const p = BL_COUNT + (l << 2);
    store<u32>(p, load<u32>(p) + 1);
  }
  let total: u32 = 0;
  for (let l: u32 = 1; l <= maxBits; l++) total += load<u32>(BL_COUNT + (l << 2)) << (maxBits - l);
  const full: u32 = 1 << maxBits;
  while (total > full) {
    // Remove one code of the maximal length, and split a shorter leaf into two one level deeper.
    store<u32>(BL_COUNT + (maxBits << 2), load<u32>(BL_COUNT + (maxBits << 2)) - 1);
    for (let l: u32 = maxBits - 1; l > 0; l--) {
      const c = load<u32>(BL_COUNT + (l << 2));
      if (c != 0) {
        store<u32>(BL_COUNT + (l << 2), c - 1);
        store<u32>(BL_COUNT + ((l + 1) << 2), load<u32>(BL_COUNT + ((l + 1) << 2)) + 2);
        break;
      }
    }
    total--;
  }
  // Longest codes go to the least frequent symbols.
  let i: u32 = 0;
  for (let l: u32 = maxBits; l > 0; l--) {
    let c = load<u32>(BL_COUNT + (l << 2));
    while (c > 0) {
      store<u8>(lens + (load<u32>(sorted + (i << 2)) & 0x1ff), <u8>l);
      i++;
      c--;
    }
  }
}

/**
 * Canonical codes (RFC 1951 §3.2.2) for the lengths at `lens`: writes one u32 per symbol at
 * `codes` = bit-reversed code (ready for an LSB-first bit writer) | length << 16.
 */
export function buildCodes(lens: usize, n: u32, codes: usize): void {
  memory.fill(BL_COUNT, 0, 32 * 4);
  for (let s: u32 = 0; s < n; s++) {
    const p = BL_COUNT + (<usize>load<u8>(lens + s) << 2);
    store<u32>(p, load<u32>(p) + 1);
  }
  store<u32>(BL_COUNT, 0);
  let code: u32 = 0;
  for (let b: u32 = 1; b < 16; b++) {
    code = (code + load<u32>(BL_COUNT + ((b - 1) << 2))) << 1;
    store<u32>(NEXT_CODE + (b << 2), code);
  }
  for (let s: u32 = 0; s < n; s++) {
    const len = <u32>load<u8>(lens + s);
    if (len != 0) {
      const p = NEXT_CODE + (len << 2);
      const c = load<u32>(p);
      store<u32>(p, c + 1);
      store<u32>(codes + (s << 2), reverseBits(c, len) | (len << 16));
    } else {
      store<u32>(codes + (s << 2), 0);
    }
  }
}
