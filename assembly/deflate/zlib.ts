// Per-page zlib (RFC 1950) compressor around a fast DEFLATE (RFC 1951) encoder, written from the RFCs.
//
// Each page is one zlib stream with one final block:
//   1. LZ77: greedy parse with one hash probe per position (4-byte hash, the page is the window,
//      distances ≤ 32768). After 64 misses in a row the parser starts stepping over positions, one more
//      byte every 64 misses (so incompressible stretches cost little); any match resets the step. It
//      writes (literal run, length info, distance info) sequences and symbol frequencies in one pass.
//   2. Exact bit costs of the fixed code and of a dynamic code (length-limited to 15 bits, code-length
//      code limited to 7 bits) are computed from the frequencies; the cheaper one is emitted. If the zlib
//      stream would not be smaller than the page, nothing is emitted and the page is stored raw (a stored
//      block always costs more than the raw page, so it is never chosen). When even the fixed code does not
//      fit, an entropy lower bound first decides whether the page can shrink by more than 1/64 at all;
//      if not it is stored raw without building a dynamic code.
//   3. Emission with a 64-bit bit buffer, flushed branch-free 8 bytes at a time into a scratch buffer.
//
// All state is static linear memory or allocated once from the heap: no managed objects.

import { adler32 } from "./adler";
import { buildCodes, buildLengths } from "./huffman";
import { CL_ORDER, FIXED_LIT, LEN_EXTRA, LEN_INFO, initTables } from "./tables";
import { appendPage, matchLength } from "../lz/match";

/** Largest page this encoder accepts (distances are still capped at 32 KiB). */
export const ZLIB_MAX_PAGE: u32 = 65536;
const MAX_DIST: u32 = 32768;
const MIN_MATCH: u32 = 4; // the hash covers 4 bytes; 3-byte matches are not searched
const MAX_MATCH: u32 = 258;
const SKIP_SHIFT: u32 = 6;
const SKIP_START: u32 = 1 << SKIP_SHIFT;

const HASH_BITS: u32 = 13;
const HASH_SIZE: u32 = 1 << HASH_BITS;
/** Hash heads: position + generation base, so no clearing between pages (see `genBase`). */
let HEAD: usize = 0; // HASH_SIZE × u32, allocated by init()
/**
 * Sequences, 12 bytes each: literal run | match length << 17; length info (LEN_INFO entry);
 * distance info = code | extra bits << 8 | extra value << 16. Literals after the last match are implied.
 */
const MAX_SEQ: u32 = ZLIB_MAX_PAGE / MIN_MATCH + 2;
let SEQ: usize = 0; // MAX_SEQ × 12 bytes, allocated by init()
const LFREQ: usize = memory.data(288 * 4, 16);
const DFREQ: usize = memory.data(32 * 4, 16);
/** Code lengths; symbols 286..287 and 30..31 are never used and stay 0 (the SIMD cost sums read them). */
const LLENS: usize = memory.data(288, 16);
const DLENS: usize = memory.data(32, 16);
const LCODES: usize = memory.data(288 * 4, 16);
const DCODES: usize = memory.data(32 * 4, 16);
const FIXED_DCODES: usize = memory.data(32 * 4, 16);
/** Code-length alphabet (RFC 1951 §3.2.7) state for the dynamic header. */
const COMB: usize = memory.data(320, 16);
const RLE: usize = memory.data(320 * 4, 16);
const CLFREQ: usize = memory.data(19 * 4 + 4, 16);
const CLLENS: usize = memory.data(20, 16);
const CLCODES: usize = memory.data(19 * 4 + 4, 16);
/** Compressed output of one page, with slack for the 8-byte flushes. */
let OUT: usize = 0; // ZLIB_MAX_PAGE + 64 bytes, allocated by init()

let genBase: u32 = 65536;
let rleCount: u32 = 0;
let hlit: u32 = 0;
let hdist: u32 = 0;
let hclen: u32 = 0;
let derivedReady = false;

// @ts-ignore: decorator
@inline function inc(p: usize): void { store<u32>(p, load<u32>(p) + 1); }

// @ts-ignore: decorator
@inline function distCode(d: u32): u32 {
  // d = distance - 1. Codes 0..3 for d < 4, then two codes per power of two.
  if (d < 4) return d;
  const hb = 31 - clz<u32>(d);
  return (hb << 1) | ((d >> (hb - 1)) & 1);
}

function init(): void {
  initTables();
  if (HEAD == 0) {
    // The big buffers (~290 KiB) come from the heap once, not from static data, so the module's
    // initial memory stays small. This may grow memory: callers re-create their views afterwards.
    HEAD = heap.alloc(HASH_SIZE * 4);
    memory.fill(HEAD, 0, HASH_SIZE * 4);
    SEQ = heap.alloc(MAX_SEQ * 12);
    OUT = heap.alloc(ZLIB_MAX_PAGE + 64);
  }
  if (!derivedReady) {
    // Fixed distance code: 5 bits, code = symbol (reversed for LSB-first output).
    for (let s: u32 = 0; s < 32; s++) {
      let r: u32 = 0;
      for (let b: u32 = 0; b < 5; b++) if (s & (1 << b)) r |= 1 << (4 - b);
      store<u32>(FIXED_DCODES + (s << 2), r | (5 << 16));
    }
    for (let m: u32 = 0; m < 256; m++) {
      store<u16>(LOG2_FRAC + (m << 1), <u16>Math.floor(256 * Math.log2(1 + <f64>m / 256)));
    }
    derivedReady = true;
  }
}

// @ts-ignore: decorator
@inline function insertHash(src: usize, base: u32, pos: u32): void {
  const v = load<u32>(src + pos);
  store<u32>(HEAD + (((v * 0x9e3779b1) >> (32 - HASH_BITS)) << 2), base + pos);
}

// @ts-ignore: decorator
@inline function countLiterals(p: usize, end: usize): void {
  while (p < end) {
    inc(LFREQ + (<usize>load<u8>(p) << 2));
    p++;
  }
}

/** LZ77 parse of one page into SEQ; fills LFREQ/DFREQ. Returns the number of sequences. */
function lzParse(src: usize, n: u32): u32 {
  if (genBase > 0xf0000000) {
    memory.fill(HEAD, 0, HASH_SIZE * 4);
    genBase = 65536;
  }
  const base = genBase;
  // Entries from earlier pages are at least MAX_DIST + 1 behind every position of this page.
  genBase = base + n + MAX_DIST + 1;

  let seq = SEQ;
  let ip: u32 = 0;
  let lit: u32 = 0; // start of the pending literal run
  if (n >= MIN_MATCH + 4) {
    const limit = n - MIN_MATCH; // last position whose 4 bytes are inside the page
    let misses: u32 = SKIP_START;
    while (ip <= limit) {
      const v = load<u32>(src + ip);
      const hp = HEAD + (((v * 0x9e3779b1) >> (32 - HASH_BITS)) << 2);
      const cand = load<u32>(hp);
      const cur = base + ip;
      store<u32>(hp, cur);
      let d = cur - cand;
      d = select<u32>(d, 0, d - 1 < MAX_DIST); // 0: no usable candidate (compares the position with itself)
      if ((<i32>(load<u32>(src + ip - d) == v) & <i32>(d != 0)) != 0) {
        const m = src + ip - d;
        let maxLen = n - ip;
        if (maxLen > MAX_MATCH) maxLen = MAX_MATCH;
        const len: u32 = MIN_MATCH + <u32>matchLength(m + MIN_MATCH, src + ip + MIN_MATCH, src + ip + maxLen);
        countLiterals(src + lit, src + ip);
        const li = load<u32>(LEN_INFO + (len << 2));
        const dcode = distCode(d - 1);
        const deb = select<u32>((dcode >> 1) - 1, 0, dcode >= 4);
        store<u32>(seq, (ip - lit) | (len << 17));
        store<u32>(seq, li, 4);
        store<u32>(seq, dcode | (deb << 8) | (((d - 1) & ((1 << deb) - 1)) << 16), 8);
        seq += 12;
        inc(LFREQ + ((257 + (li & 0xff)) << 2));
        inc(DFREQ + (dcode << 2));
        // Index a few positions inside the match (its second and third bytes, and the two before its end)
        // so that nearby repeats can still be found; this brings the size to node:zlib level 1's.
        const after = ip + len;
        if (after - 1 <= limit) {
          insertHash(src, base, ip + 1);
          insertHash(src, base, ip + 2);
          insertHash(src, base, after - 2);
          insertHash(src, base, after - 1);
        }
        ip = after;
        lit = ip;
        misses = SKIP_START;
      } else {
        ip += misses >> SKIP_SHIFT;
        misses++;
      }
    }
  }
  countLiterals(src + lit, src + n);
  return <u32>((seq - SEQ) / 12);
}

/** Σ u32 at p[from..to), from and to multiples of 4 (SIMD). */
// @ts-ignore: decorator
@inline function sum32(p: usize, from: u32, to: u32): u32 {
  let acc = i32x4.splat(0);
  for (let i = from; i < to; i += 4) acc = i32x4.add(acc, v128.load(p + (i << 2)));
  return <u32>(i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3));
}

/** Σ f[i] · len[i] for u32 frequencies and u8 lengths, n a multiple of 8 (SIMD). */
function dot8(freq: usize, lens: usize, n: u32): u32 {
  let acc = i32x4.splat(0);
  for (let i: u32 = 0; i < n; i += 8) {
    const l16 = i16x8.extend_low_i8x16_u(v128.load64_zero(lens + i));
    acc = i32x4.add(acc, i32x4.mul(v128.load(freq + (i << 2)), i32x4.extend_low_i16x8_u(l16)));
    acc = i32x4.add(acc, i32x4.mul(v128.load(freq + (i << 2), 16), i32x4.extend_high_i16x8_u(l16)));
  }
  return <u32>(i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3));
}

/** floor(256 · log2(1 + m/256)) for m = 0..255 (filled by init). */
const LOG2_FRAC: usize = memory.data(256 * 2, 16);

/** log2(x) in 1/256 bits, rounded down with an error below 2.5/256 (x ≥ 1). */
// @ts-ignore: decorator
@inline function log2Fixed(x: u32): u32 {
  const e = 31 - clz<u32>(x);
  const m = (e >= 8 ? x >> (e - 8) : x << (8 - e)) & 0xff;
  return (e << 8) + <u32>load<u16>(LOG2_FRAC + (m << 1));
}

/**
 * A lower bound, in bits, on the cost of coding the `n` symbol frequencies at `freq` with any prefix code:
 * the empirical entropy Σ f·log2(T/f), each term rounded down (log2 T low, log2 f high by the table's error).
 */
function entropyBits(freq: usize, n: u32): u32 {
  let total: u32 = 0;
  for (let s: u32 = 0; s < n; s++) total += load<u32>(freq + (s << 2));
  if (total == 0) return 0;
  const lt = log2Fixed(total);
  let acc: u64 = 0;
  for (let s: u32 = 0; s < n; s++) {
    const f = load<u32>(freq + (s << 2));
    if (f != 0) {
      const lf = log2Fixed(f) + 3;
      if (lt > lf) acc += <u64>f * <u64>(lt - lf);
    }
  }
  return <u32>(acc >> 8);
}

// @ts-ignore: decorator
@inline function emitRle(sym: u32, nbits: u32, val: u32): void {
  store<u32>(RLE + (rleCount << 2), sym | (nbits << 8) | (val << 16));
  rleCount++;
  inc(CLFREQ + (sym << 2));
}

/** Builds the dynamic header (HLIT/HDIST/HCLEN, run-length coded lengths) and returns its bit cost. */
function dynamicHeaderBits(): u32 {
  hlit = 286;
  while (hlit > 257 && load<u8>(LLENS + hlit - 1) == 0) hlit--;
  hdist = 30;
  while (hdist > 1 && load<u8>(DLENS + hdist - 1) == 0) hdist--;
  memory.copy(COMB, LLENS, hlit);
  memory.copy(COMB + hlit, DLENS, hdist);
  const total = hlit + hdist;
  memory.fill(CLFREQ, 0, 19 * 4);
  rleCount = 0;
  let i: u32 = 0;
  while (i < total) {
    const l = <u32>load<u8>(COMB + i);
    let run: u32 = 1;
    while (i + run < total && <u32>load<u8>(COMB + i + run) == l) run++;
    i += run;
    if (l == 0) {
      while (run >= 11) {
        const r = run < 138 ? run : 138;
        emitRle(18, 7, r - 11);
        run -= r;
      }
      if (run >= 3) {
        emitRle(17, 3, run - 3);
        run = 0;
      }
      while (run > 0) {
        emitRle(0, 0, 0);
        run--;
      }
    } else {
      emitRle(l, 0, 0);
      run--;
      while (run >= 3) {
        const r = run < 6 ? run : 6;
        emitRle(16, 2, r - 3);
        run -= r;
      }
      while (run > 0) {
        emitRle(l, 0, 0);
        run--;
      }
    }
  }
  buildLengths(CLFREQ, 19, 7, CLLENS);
  hclen = 19;
  while (hclen > 4 && load<u8>(CLLENS + load<u8>(CL_ORDER + hclen - 1)) == 0) hclen--;
  let bits: u32 = 5 + 5 + 4 + 3 * hclen;
  for (let k: u32 = 0; k < rleCount; k++) {
    const e = load<u32>(RLE + (k << 2));
    bits += <u32>load<u8>(CLLENS + (e & 0xff)) + ((e >> 8) & 0xff);
  }
  return bits;
}



/**
 * Compresses one page to OUT. Returns the zlib stream length, or 0 when it would not be smaller
 * than the page (the caller then stores the page raw).
 */
function compressPage(src: usize, n: u32): u32 {
  memory.fill(LFREQ, 0, 288 * 4);
  memory.fill(DFREQ, 0, 32 * 4);
  const nseq = lzParse(src, n);
  store<u32>(LFREQ + (256 << 2), 1); // end of block

  // Extra bits are the same under either code. The fixed literal/length code has 8 bits for 0..143,
  // 9 for 144..255, 7 for 256..279 and 8 for 280..287 (RFC 1951 §3.2.6), so its cost is four sums.
  const fixedBits: u32 =
    (sum32(LFREQ, 0, 144) << 3) + sum32(LFREQ, 144, 256) * 9 + sum32(LFREQ, 256, 280) * 7 + (sum32(LFREQ, 280, 288) << 3) +
    sum32(DFREQ, 0, 32) * 5;
  let extra: u32 = 0;
  for (let s: u32 = 0; s < 29; s++) extra += load<u32>(LFREQ + ((257 + s) << 2)) * <u32>load<u8>(LEN_EXTRA + s);
  for (let c: u32 = 4; c < 30; c++) extra += load<u32>(DFREQ + (c << 2)) * ((c >> 1) - 1);

  // When even the fixed code does not fit, first try a cheap entropy bound: a page that no code can
  // shrink by more than 1/64 is stored raw without building the dynamic code (random-like pages).
  if (((extra + fixedBits + 10) >> 3) + 6 >= n) {
    const lb: u32 = extra + 3 + entropyBits(LFREQ, 286) + entropyBits(DFREQ, 30);
    if (((lb + 7) >> 3) + 6 >= n - (n >> 6)) return 0;
  }

  buildLengths(LFREQ, 286, 15, LLENS);
  buildLengths(DFREQ, 30, 15, DLENS);
  const dynBits = dynamicHeaderBits() + dot8(LFREQ, LLENS, 288) + dot8(DFREQ, DLENS, 32);

  const dynamic = dynBits < fixedBits;
  const bodyBits: u32 = extra + 3 + (dynamic ? dynBits : fixedBits);
  const total: u32 = ((bodyBits + 7) >> 3) + 6; // + zlib header and Adler-32
  if (total >= n) return 0;

  // zlib header: CM = 8 (deflate), CINFO = 7 (32 KiB window), FLEVEL = 0 (fastest), FCHECK.
  store<u8>(OUT, 0x78);
  store<u8>(OUT, 0x01, 1);
  let out = OUT + 2;
  let buf: u64 = 0;
  let cnt: u32 = 0;
  let lc = FIXED_LIT;
  let dc = FIXED_DCODES;
  if (dynamic) {
    buildCodes(LLENS, 286, LCODES);
    buildCodes(DLENS, 30, DCODES);
    buildCodes(CLLENS, 19, CLCODES);
    lc = LCODES;
    dc = DCODES;
    // BFINAL = 1, BTYPE = 10.
    buf = 1 | (2 << 1) | (<u64>(hlit - 257) << 3) | (<u64>(hdist - 1) << 8) | (<u64>(hclen - 4) << 13);
    cnt = 17;
    for (let k: u32 = 0; k < hclen; k++) {
      buf |= <u64>load<u8>(CLLENS + load<u8>(CL_ORDER + k)) << cnt;
      cnt += 3;
      if (cnt >= 32) {
        store<u64>(out, buf);
        const nb = cnt >> 3;
        out += nb;
        buf >>= <u64>(nb << 3);
        cnt &= 7;
      }
    }
    for (let k: u32 = 0; k < rleCount; k++) {
      const e = load<u32>(RLE + (k << 2));
      const c = load<u32>(CLCODES + ((e & 0xff) << 2));
      buf |= <u64>(c & 0xffff) << cnt;
      cnt += c >> 16;
      buf |= <u64>(e >> 16) << cnt;
      cnt += (e >> 8) & 0xff;
      store<u64>(out, buf);
      const nb = cnt >> 3;
      out += nb;
      buf >>= <u64>(nb << 3);
      cnt &= 7;
    }
  } else {
    buf = 1 | (1 << 1); // BFINAL = 1, BTYPE = 01
    cnt = 3;
  }

  // Body. Between symbols at most 7 bits are pending, so three literals (≤ 45 bits) or one match
  // (≤ 15 + 5 + 15 + 13 bits) fit before the next 8-byte flush.
  let ip = src;
  const seqEnd = SEQ + <usize>nseq * 12;
  let sp = SEQ;
  while (true) {
    const last = sp == seqEnd; // the final literal run has no match after it
    const w = last ? 0 : load<u32>(sp);
    const litEnd = last ? src + n : ip + (w & 0x1ffff);
    while (ip + 3 <= litEnd) {
      const e0 = load<u32>(lc + (<usize>load<u8>(ip) << 2));
      const e1 = load<u32>(lc + (<usize>load<u8>(ip, 1) << 2));
      const e2 = load<u32>(lc + (<usize>load<u8>(ip, 2) << 2));
      buf |= <u64>(e0 & 0xffff) << cnt;
      cnt += e0 >> 16;
      buf |= <u64>(e1 & 0xffff) << cnt;
      cnt += e1 >> 16;
      buf |= <u64>(e2 & 0xffff) << cnt;
      cnt += e2 >> 16;
      store<u64>(out, buf);
      const nb = cnt >> 3;
      out += nb;
      buf >>= <u64>(nb << 3);
      cnt &= 7;
      ip += 3;
    }
    while (ip < litEnd) {
      const e0 = load<u32>(lc + (<usize>load<u8>(ip) << 2));
      buf |= <u64>(e0 & 0xffff) << cnt;
      cnt += e0 >> 16;
      ip++;
    }
    store<u64>(out, buf);
    let nb = cnt >> 3;
    out += nb;
    buf >>= <u64>(nb << 3);
    cnt &= 7;
    if (last) break;
    // Length code + extra bits, distance code + extra bits (precomputed by the parser).
    const li = load<u32>(sp, 4);
    const e = load<u32>(lc + ((257 + (li & 0xff)) << 2));
    buf |= <u64>((e & 0xffff) | ((li >> 16) << (e >> 16))) << cnt;
    cnt += (e >> 16) + ((li >> 8) & 0xff);
    const di = load<u32>(sp, 8);
    const de = load<u32>(dc + ((di & 0xff) << 2));
    buf |= <u64>((de & 0xffff) | ((di >> 16) << (de >> 16))) << cnt;
    cnt += (de >> 16) + ((di >> 8) & 0xff);
    store<u64>(out, buf);
    nb = cnt >> 3;
    out += nb;
    buf >>= <u64>(nb << 3);
    cnt &= 7;
    ip += w >> 17;
    sp += 12;
  }
  const eob = load<u32>(lc + (256 << 2));
  buf |= <u64>(eob & 0xffff) << cnt;
  cnt += eob >> 16;
  store<u64>(out, buf);
  out += (cnt + 7) >> 3;

  const a = adler32(src, n);
  store<u32>(out, bswap<u32>(a));
  out += 4;
  return <u32>(out - OUT);
}

/**
 * Compresses `pages` consecutive pages of `pageSize` bytes from `input`, appending each page's stored
 * form to `output`, and writes one u32 per page at `sizes`: the stored length, with bit 31 set when the
 * page is stored raw (its zlib form would not be smaller; length = pageSize, the page is copied).
 * Returns the total number of bytes written; a page that does not fit in outputCapacity gets size 0
 * and stops the batch (as every page codec does). 0xFFFFFFFF when pageSize is outside 1..65536.
 */
export function zlibCompressPages(input: usize, pages: u32, pageSize: u32, output: usize, outputCapacity: usize, sizes: usize): u32 {
  if (pageSize == 0 || pageSize > ZLIB_MAX_PAGE) return u32.MAX_VALUE;
  init();
  const ps = <usize>pageSize;
  let written: usize = 0;
  for (let i: u32 = 0; i < pages; i++) {
    const src = input + <usize>i * ps;
    const len = compressPage(src, pageSize);
    // 0: the zlib stream would not be smaller, so the page is stored raw
    const stored = appendPage(output + written, outputCapacity - written, sizes, i, pages, src, ps, OUT, len == 0 ? ps : len);
    if (stored == 0) break;
    written += stored;
  }
  return <u32>written;
}

/** One-time table set-up; optional (zlibCompressPages does it on first use). */
export function zlibInit(): void {
  init();
}
