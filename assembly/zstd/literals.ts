// Literals section (RFC 8878 §3.1.1.3.1): raw, RLE, or Huffman-coded (§4.2) with the tree
// described by weights, whichever is smallest.

const MAX_BITS: u32 = 11; // Max_Number_of_Bits for literals

// scratch tables (static)
const hist = memory.data(256 * 4);
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
  memory.fill(hist, 0, 256 * 4);
  for (let i: usize = 0; i < n; i++) {
    const s = <usize>load<u8>(lit + i) << 2;
    store<u32>(hist + s, load<u32>(hist + s) + 1);
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
  // Direct weight representation covers symbols 0..127 (plus the implied last one).
  if (lastSym > 128) return writeRawLiterals(op, lit, n);
  sortByFreq(m, maxFreq);
  const maxLen = buildLengths(m);
  // estimate: skip Huffman when it cannot win
  let bits: u32 = 0;
  for (let i: u32 = 0; i < m; i++) {
    const k = load<u32>(sortKeys + (<usize>i << 2));
    bits += (k >> 8) * <u32>load<u8>(lens + (k & 255));
  }
  const treeBytes = 1 + ((lastSym + 1) >> 1);
  if ((bits >> 3) + treeBytes + 10 >= <u32>n) return writeRawLiterals(op, lit, n);
  assignCodes(maxLen);

  const four = n >= 1024;
  const hdr: usize = four ? (n < 16384 ? 4 : 5) : 3;
  let p = op + hdr;
  // tree description: direct weights, 4 bits each, for symbols 0..lastSym-1
  store<u8>(p++, <u8>(127 + lastSym));
  for (let s: u32 = 0; s < lastSym; s += 2) {
    const l0 = <u32>load<u8>(lens + s);
    const l1 = s + 1 < lastSym ? <u32>load<u8>(lens + s + 1) : 0;
    const w0 = l0 ? maxLen + 1 - l0 : 0;
    const w1 = l1 ? maxLen + 1 - l1 : 0;
    store<u8>(p++, <u8>((w0 << 4) | w1));
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
