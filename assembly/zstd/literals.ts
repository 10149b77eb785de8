// Literals section (RFC 8878 §3.1.1.3.1): raw, RLE, or Huffman-coded (§4.2) with the tree
// described by weights, whichever is smallest.

import { buildTable } from "./fse";

const MAX_BITS: u32 = 11; // Max_Number_of_Bits for literals
const WEIGHT_AL: u32 = 6; // FSE accuracy log for compressed weights (max 6)

// scratch tables (static)
const hist = memory.data(256 * 4);
const hist4 = memory.data(4 * 256 * 4);
const lens = memory.data(256); // code length per symbol
const codeTab = memory.data(256 * 4); // code | length << 16 per symbol
const sortKeys = memory.data(256 * 4); // freq << 8 | symbol, sorted ascending
const sortTmp = memory.data(256 * 4);
const radixCount = memory.data(256 * 4);
const nodeFreq = memory.data(512 * 4);
const nodeParent = memory.data(512 * 2);
const nodeDepth = memory.data(512);
const lenCount = memory.data(16 * 4);
const nextCode = memory.data(16 * 4);
const weights = memory.data(256);
const wCount = memory.data(16 * 4);
const wNorm = memory.data(16 * 2); // i16 normalized counts
const wSym = memory.data(16 * 8);
const wCells = memory.data(64 * 2);

/**
 * Tree description with FSE-compressed weights (§4.2.1.2) for symbols 0..numW-1 at op:
 * header byte (compressed size < 128), FSE table description, then a backward bitstream with two
 * interleaved states (state 1: even weights, state 2: odd ones). Returns the end, or 0 when the
 * description does not fit in 127 bytes.
 */
function writeFseWeights(op: usize, numW: u32, maxLen: u32): usize {
  memory.fill(wCount, 0, 16 * 4);
  for (let s: u32 = 0; s < numW; s++) {
    const l = <u32>load<u8>(lens + s);
    const w = l ? maxLen + 1 - l : 0;
    store<u8>(weights + s, <u8>w);
    store<u32>(wCount + (<usize>w << 2), load<u32>(wCount + (<usize>w << 2)) + 1);
  }
  // normalize to 2^WEIGHT_AL, each present value >= 1; the largest absorbs the rounding
  const T: u32 = 1 << WEIGHT_AL;
  let sum: i32 = 0;
  let biggest: u32 = 0;
  let nsym: u32 = 0;
  let distinct: u32 = 0;
  for (let w: u32 = 0; w <= maxLen; w++) {
    const c = load<u32>(wCount + (<usize>w << 2));
    let q: i32 = 0;
    if (c > 0) {
      q = <i32>((c * T + (numW >> 1)) / numW);
      if (q < 1) q = 1;
      if (c > load<u32>(wCount + (<usize>biggest << 2))) biggest = w;
      nsym = w + 1;
      distinct++;
    }
    store<i16>(wNorm + (<usize>w << 1), <i16>q);
    sum += q;
  }
  if (distinct < 2) return 0;
  const fixed = <i32>load<i16>(wNorm + (<usize>biggest << 1)) + (<i32>T - sum);
  if (fixed < 1 || fixed >= <i32>T) return 0;
  store<i16>(wNorm + (<usize>biggest << 1), <i16>fixed);

  // FSE table description (§4.1.1), a forward little-endian bitstream
  let p = op + 1;
  let acc: u64 = WEIGHT_AL - 5;
  let cnt: u32 = 4;
  let remaining: i32 = <i32>T + 1;
  let threshold: i32 = <i32>T;
  let nbBits: u32 = WEIGHT_AL + 1;
  let s: u32 = 0;
  let prev0 = false;
  while (remaining > 1 && s < nsym) {
    if (prev0) {
      let z: u32 = 0;
      while (s + z < nsym && load<i16>(wNorm + (<usize>(s + z) << 1)) == 0) z++;
      s += z;
      while (z >= 3) {
        acc |= <u64>3 << cnt;
        cnt += 2;
        z -= 3;
      }
      acc |= <u64>z << cnt;
      cnt += 2;
      store<u64>(p, acc);
      p += cnt >> 3;
      acc >>= <u64>(cnt & ~7);
      cnt &= 7;
    }
    const count = <i32>load<i16>(wNorm + (<usize>s << 1));
    s++;
    let value = count + 1;
    const max = 2 * threshold - 1 - remaining;
    if (value < max) {
      acc |= <u64>value << cnt;
      cnt += nbBits - 1;
    } else {
      if (value >= threshold) value += max;
      acc |= <u64>value << cnt;
      cnt += nbBits;
    }
    store<u64>(p, acc);
    p += cnt >> 3;
    acc >>= <u64>(cnt & ~7);
    cnt &= 7;
    remaining -= count < 0 ? -count : count;
    prev0 = count == 0;
    while (remaining < threshold) {
      nbBits--;
      threshold >>= 1;
    }
  }
  store<u64>(p, acc);
  p += (cnt + 7) >> 3;

  // the weights, encoded backwards with two states over one table
  buildTable(wNorm, nsym, WEIGHT_AL, wSym, wCells);
  acc = 0;
  cnt = 0;
  const last = numW - 1;
  let stA = firstWeightState(<u32>load<u8>(weights + last)); // chain of weight last
  let stB = firstWeightState(<u32>load<u8>(weights + last - 1)); // chain of weight last-1
  for (let i = <i32>numW - 3; i >= 0; i--) {
    const w = <u32>load<u8>(weights + i);
    const e = wSym + (<usize>w << 3);
    const c = <u32>load<u16>(e);
    const mb = <u32>load<u16>(e, 2);
    const inA = ((<u32>i ^ last) & 1) == 0;
    const v = (inA ? stA : stB) + T;
    const nb = v < c << mb ? mb - 1 : mb;
    acc |= <u64>(v & ((1 << nb) - 1)) << cnt;
    cnt += nb;
    store<u64>(p, acc);
    p += cnt >> 3;
    acc >>= <u64>(cnt & ~7);
    cnt &= 7;
    const ns = <u32>load<u16>(wCells + ((<usize>load<u16>(e, 4) + <usize>(v >> nb) - <usize>c) << 1));
    if (inA) stA = ns;
    else stB = ns;
  }
  // state 1 holds weight 0 and is read first, so it is written last
  const st1 = (last & 1) == 0 ? stA : stB;
  const st2 = (last & 1) == 0 ? stB : stA;
  acc |= <u64>st2 << cnt;
  cnt += WEIGHT_AL;
  acc |= <u64>st1 << cnt;
  cnt += WEIGHT_AL;
  acc |= <u64>1 << cnt;
  cnt += 1;
  store<u64>(p, acc);
  p += cnt >> 3;
  acc >>= <u64>(cnt & ~7);
  cnt &= 7;
  if (cnt > 0) {
    store<u8>(p, <u8>acc);
    p++;
  }
  const size = p - op - 1;
  if (size >= 128) return 0;
  store<u8>(op, <u8>size);
  return p;
}

// @ts-ignore: decorator
@inline function firstWeightState(w: u32): u32 {
  return <u32>load<u16>(wCells + (<usize>load<u16>(wSym + (<usize>w << 3), 4) << 1));
}

/** Raw_Literals_Block header + the bytes; returns the end. */
export function writeRawLiterals(op: usize, lit: usize, n: usize): usize {
  op = rawHeader(op, n, 0);
  memory.copy(op, lit, n);
  return op + n;
}

/** Header of a raw (type 0) or RLE (type 1) literals block. */
function rawHeader(op: usize, n: usize, type: u32): usize {
  if (n < 32) {
    store<u8>(op, <u8>(type | (<u32>n << 3))); // Size_Format x0: 5-bit size
    return op + 1;
  }
  if (n < 4096) {
    store<u8>(op, <u8>(type | (1 << 2) | ((<u32>n & 15) << 4))); // Size_Format 01: 12-bit size
    store<u8>(op, <u8>(n >> 4), 1);
    return op + 2;
  }
  store<u8>(op, <u8>(type | (3 << 2) | ((<u32>n & 15) << 4))); // Size_Format 11: 20-bit size
  store<u8>(op, <u8>(n >> 4), 1);
  store<u8>(op, <u8>(n >> 12), 2);
  return op + 3;
}

/** Sorts the m keys in sortKeys ascending by frequency (stable: symbols stay ascending). */
function sortByFreq(m: u32, maxFreq: u32): void {
  for (let shift: u32 = 8; shift <= 16; shift += 8) {
    if (shift == 16 && maxFreq < 256) break;
    memory.fill(radixCount, 0, 256 * 4);
    for (let i: u32 = 0; i < m; i++) {
      const d = (load<u32>(sortKeys + (<usize>i << 2)) >> shift) & 255;
      store<u32>(radixCount + (<usize>d << 2), load<u32>(radixCount + (<usize>d << 2)) + 1);
    }
    let sum: u32 = 0;
    for (let d: u32 = 0; d < 256; d++) {
      const c = load<u32>(radixCount + (<usize>d << 2));
      store<u32>(radixCount + (<usize>d << 2), sum);
      sum += c;
    }
    for (let i: u32 = 0; i < m; i++) {
      const k = load<u32>(sortKeys + (<usize>i << 2));
      const d = (k >> shift) & 255;
      const at = load<u32>(radixCount + (<usize>d << 2));
      store<u32>(radixCount + (<usize>d << 2), at + 1);
      store<u32>(sortTmp + (<usize>at << 2), k);
    }
    memory.copy(sortKeys, sortTmp, <usize>m << 2);
  }
}

/** Huffman code lengths (<= MAX_BITS, complete) for the m >= 2 sorted symbols; returns the max length. */
function buildLengths(m: u32): u32 {
  // two-queue Huffman: leaves 0..m-1 (ascending), internal nodes m..2m-2 (created ascending)
  for (let i: u32 = 0; i < m; i++) store<u32>(nodeFreq + (<usize>i << 2), load<u32>(sortKeys + (<usize>i << 2)) >> 8);
  let li: u32 = 0;
  let ni: u32 = m;
  let nn: u32 = m;
  for (let k: u32 = 0; k + 1 < m; k++) {
    let a: u32, b: u32;
    if (li < m && (ni >= nn || load<u32>(nodeFreq + (<usize>li << 2)) <= load<u32>(nodeFreq + (<usize>ni << 2)))) a = li++;
    else a = ni++;
    if (li < m && (ni >= nn || load<u32>(nodeFreq + (<usize>li << 2)) <= load<u32>(nodeFreq + (<usize>ni << 2)))) b = li++;
    else b = ni++;
    store<u32>(nodeFreq + (<usize>nn << 2), load<u32>(nodeFreq + (<usize>a << 2)) + load<u32>(nodeFreq + (<usize>b << 2)));
    store<u16>(nodeParent + (<usize>a << 1), <u16>nn);
    store<u16>(nodeParent + (<usize>b << 1), <u16>nn);
    nn++;
  }
  const root = 2 * m - 2;
  store<u8>(nodeDepth + root, 0);
  for (let i = <i32>root - 1; i >= 0; i--) {
    store<u8>(nodeDepth + i, load<u8>(nodeDepth + <usize>load<u16>(nodeParent + (<usize>i << 1))) + 1);
  }
  // clamp to MAX_BITS, then restore Kraft equality: kraft = sum 2^(MAX_BITS - len) - 2^MAX_BITS
  let kraft: i32 = -(1 << MAX_BITS);
  let over = false;
  for (let i: u32 = 0; i < m; i++) {
    let d = <u32>load<u8>(nodeDepth + i);
    if (d > MAX_BITS) {
      d = MAX_BITS;
      over = true;
    }
    store<u8>(lens + (load<u32>(sortKeys + (<usize>i << 2)) & 255), <u8>d);
    kraft += 1 << (MAX_BITS - d);
  }
  if (over) {
    // too many codes: lengthen the rarest codes shorter than MAX_BITS, longest first
    while (kraft > 0) {
      for (let l = MAX_BITS - 1; l >= 1 && kraft > 0; l--) {
        for (let i: u32 = 0; i < m && kraft > 0; i++) {
          const s = load<u32>(sortKeys + (<usize>i << 2)) & 255;
          if (<u32>load<u8>(lens + s) == l) {
            store<u8>(lens + s, <u8>(l + 1));
            kraft -= 1 << (MAX_BITS - l - 1);
          }
        }
      }
    }
    // room left: shorten the most frequent codes where it fits exactly
    while (kraft < 0) {
      for (let i = <i32>m - 1; i >= 0 && kraft < 0; i--) {
        const s = load<u32>(sortKeys + (<usize>i << 2)) & 255;
        const l = <u32>load<u8>(lens + s);
        if (l > 1 && (1 << (MAX_BITS - l)) <= -kraft) {
          store<u8>(lens + s, <u8>(l - 1));
          kraft += 1 << (MAX_BITS - l);
        }
      }
    }
  }
  let maxLen: u32 = 0;
  for (let i: u32 = 0; i < m; i++) {
    const l = <u32>load<u8>(lens + (load<u32>(sortKeys + (<usize>i << 2)) & 255));
    if (l > maxLen) maxLen = l;
  }
  return maxLen;
}

/** Canonical codes (§4.2.1: longest codes first, each length in symbol order, starting at 0). */
function assignCodes(maxLen: u32): void {
  memory.fill(lenCount, 0, 16 * 4);
  for (let s: u32 = 0; s < 256; s++) {
    const l = <usize>load<u8>(lens + s);
    store<u32>(lenCount + (l << 2), load<u32>(lenCount + (l << 2)) + 1);
  }
  let code: u32 = 0;
  for (let l = maxLen; l >= 1; l--) {
    store<u32>(nextCode + (<usize>l << 2), code);
    code = (code + load<u32>(lenCount + (<usize>l << 2))) >> 1;
  }
  for (let s: u32 = 0; s < 256; s++) {
    const l = <u32>load<u8>(lens + s);
    if (l == 0) {
      store<u32>(codeTab + (<usize>s << 2), 0);
      continue;
    }
    const c = load<u32>(nextCode + (<usize>l << 2));
    store<u32>(nextCode + (<usize>l << 2), c + 1);
    store<u32>(codeTab + (<usize>s << 2), c | (l << 16));
  }
}

/** One Huffman stream of lit[0..n), written backwards (the first literal is read first); returns its end. */
function writeStream(op: usize, lit: usize, n: usize): usize {
  let acc: u64 = 0;
  let cnt: u32 = 0;
  let i = <isize>n - 1;
  for (; i >= 3; i -= 4) {
    const e0 = load<u32>(codeTab + (<usize>load<u8>(lit + <usize>i) << 2));
    const e1 = load<u32>(codeTab + (<usize>load<u8>(lit + <usize>i - 1) << 2));
    const e2 = load<u32>(codeTab + (<usize>load<u8>(lit + <usize>i - 2) << 2));
    const e3 = load<u32>(codeTab + (<usize>load<u8>(lit + <usize>i - 3) << 2));
    acc |= <u64>(e0 & 0xffff) << cnt;
    cnt += e0 >> 16;
    acc |= <u64>(e1 & 0xffff) << cnt;
    cnt += e1 >> 16;
    acc |= <u64>(e2 & 0xffff) << cnt;
    cnt += e2 >> 16;
    acc |= <u64>(e3 & 0xffff) << cnt;
    cnt += e3 >> 16;
    store<u64>(op, acc);
    op += cnt >> 3;
    acc >>= <u64>(cnt & ~7);
    cnt &= 7;
  }
  for (; i >= 0; i--) {
    const e = load<u32>(codeTab + (<usize>load<u8>(lit + <usize>i) << 2));
    acc |= <u64>(e & 0xffff) << cnt;
    cnt += e >> 16;
  }
  acc |= <u64>1 << cnt; // end mark
  cnt += 1;
  store<u64>(op, acc);
  return op + ((cnt + 7) >> 3);
}

/** Literals section for lit[0..n); returns its end. Needs n + 64 bytes of room at op. */
export function writeLiterals(op: usize, lit: usize, n: usize): usize {
  if (n < 64) return writeRawLiterals(op, lit, n);
  // four interleaved histograms (no store-to-load chains on runs of one byte), then summed
  memory.fill(hist4, 0, 4 * 256 * 4);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const q = load<u32>(lit + i);
    const a = hist4 + ((<usize>q & 255) << 2);
    const b = hist4 + 1024 + (((<usize>q >> 8) & 255) << 2);
    const c = hist4 + 2048 + (((<usize>q >> 16) & 255) << 2);
    const d = hist4 + 3072 + ((<usize>q >> 24) << 2);
    store<u32>(a, load<u32>(a) + 1);
    store<u32>(b, load<u32>(b) + 1);
    store<u32>(c, load<u32>(c) + 1);
    store<u32>(d, load<u32>(d) + 1);
  }
  for (; i < n; i++) {
    const a = hist4 + (<usize>load<u8>(lit + i) << 2);
    store<u32>(a, load<u32>(a) + 1);
  }
  for (let s: usize = 0; s < 1024; s += 16) {
    const v = i32x4.add(
      i32x4.add(v128.load(hist4 + s), v128.load(hist4 + 1024 + s)),
      i32x4.add(v128.load(hist4 + 2048 + s), v128.load(hist4 + 3072 + s)),
    );
    v128.store(hist + s, v);
  }
  let m: u32 = 0;
  let maxFreq: u32 = 0;
  let lastSym: u32 = 0;
  for (let s: u32 = 0; s < 256; s++) {
    const f = load<u32>(hist + (<usize>s << 2));
    store<u8>(lens + s, 0);
    if (f == 0) continue;
    store<u32>(sortKeys + (<usize>m << 2), (f << 8) | s);
    m++;
    lastSym = s;
    if (f > maxFreq) maxFreq = f;
  }
  if (m == 1) {
    const p = rawHeader(op, n, 1); // RLE_Literals_Block
    store<u8>(p, load<u8>(lit));
    return p + 1;
  }
  // near-uniform histograms (random data) cannot gain enough: skip the tree
  if (maxFreq <= <u32>(n >> 7) + 4) return writeRawLiterals(op, lit, n);
  sortByFreq(m, maxFreq);
  const maxLen = buildLengths(m);
  // estimate: skip Huffman when it cannot win
  let bits: u32 = 0;
  for (let i: u32 = 0; i < m; i++) {
    const k = load<u32>(sortKeys + (<usize>i << 2));
    bits += (k >> 8) * <u32>load<u8>(lens + (k & 255));
  }
  const treeBytes = lastSym > 128 ? 40 : 1 + ((lastSym + 1) >> 1);
  if ((bits >> 3) + treeBytes + 10 >= <u32>n) return writeRawLiterals(op, lit, n);
  assignCodes(maxLen);

  const four = n >= 1024;
  const hdr: usize = four ? (n < 16384 ? 4 : 5) : 3;
  let p = op + hdr;
  // tree description: FSE-compressed weights when smaller (needed past symbol 128), else
  // direct weights, 4 bits each, for symbols 0..lastSym-1 (the last symbol's weight is implied)
  const fseEnd = lastSym >= 8 ? writeFseWeights(p, lastSym, maxLen) : 0;
  if (fseEnd != 0 && (lastSym > 128 || fseEnd - p < <usize>(1 + ((lastSym + 1) >> 1)))) {
    p = fseEnd;
  } else if (lastSym > 128) {
    return writeRawLiterals(op, lit, n);
  } else {
    store<u8>(p++, <u8>(127 + lastSym));
    for (let s: u32 = 0; s < lastSym; s += 2) {
    const l0 = <u32>load<u8>(lens + s);
    const l1 = s + 1 < lastSym ? <u32>load<u8>(lens + s + 1) : 0;
    const w0 = l0 ? maxLen + 1 - l0 : 0;
    const w1 = l1 ? maxLen + 1 - l1 : 0;
    store<u8>(p++, <u8>((w0 << 4) | w1));
    }
  }
  if (!four) {
    p = writeStream(p, lit, n);
  } else {
    const seg = (n + 3) >> 2;
    const jump = p;
    p += 6;
    let s0 = p;
    p = writeStream(p, lit, seg);
    store<u16>(jump, <u16>(p - s0));
    s0 = p;
    p = writeStream(p, lit + seg, seg);
    store<u16>(jump + 2, <u16>(p - s0));
    s0 = p;
    p = writeStream(p, lit + 2 * seg, seg);
    store<u16>(jump + 4, <u16>(p - s0));
    p = writeStream(p, lit + 3 * seg, n - 3 * seg);
  }
  const comp = p - op - hdr;
  const rawSize: usize = n + (n < 32 ? 1 : n < 4096 ? 2 : 3);
  if (comp + hdr >= rawSize) return writeRawLiterals(op, lit, n);
  // Compressed_Literals_Block header: type 2, Size_Format, Regenerated_Size, Compressed_Size
  const r = <u64>n;
  const c = <u64>comp;
  if (hdr == 3) {
    const h = 2 | (<u32>(four ? 1 : 0) << 2) | (<u32>r << 4) | (<u32>c << 14);
    store<u16>(op, <u16>h);
    store<u8>(op + 2, <u8>(h >> 16));
  } else if (hdr == 4) {
    store<u32>(op, <u32>(2 | (2 << 2) | (r << 4) | (c << 18)));
  } else {
    const h: u64 = 2 | (3 << 2) | (r << 4) | (c << 22);
    store<u32>(op, <u32>h);
    store<u8>(op + 4, <u8>(h >> 32));
  }
  return p;
}
