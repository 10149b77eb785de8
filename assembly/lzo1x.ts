// LZO1X-1 page compressor, written from the LZO1X stream format (as documented in the
// Linux kernel's Documentation/staging/lzo.rst). Output is a raw LZO1X stream, no header,
// as makedumpfile's `-l` stores it (lzo1x_1_compress), and decodes with lzo1x_decompress_safe.
//
// Instructions used (state = number of literals copied after the previous instruction):
//   first byte 17+n       : n literals, 1 <= n <= 238, at stream start only
//   0000LLLL [ext]        : >= 4 literals (state 0 only): 3 + (L ?: 15 + ext)
//   01LDDDSS HHHHHHHH     : M2 match, length 3..4, distance 1..2048
//   1LLDDDSS HHHHHHHH     : M2 match, length 5..8, distance 1..2048
//   001LLLLL [ext] LE16   : M3 match, length 2 + (L ?: 31 + ext), distance 1..16384, LE16 = (dist-1) << 2 | S
//   00010001 00 00        : end of stream (M4 with distance 16384)
// SS = 1..3 literals that follow the match; longer runs use the 0000LLLL instruction.

const HASH_BITS: u32 = 13;
const HASH_SIZE: usize = 1 << HASH_BITS;
const M2_MAX_OFFSET: usize = 0x800;
const M3_MAX_OFFSET: usize = 0x4000;

let hashTable: usize = 0;
let scratch: usize = 0;
let scratchSize: usize = 0;

// @ts-ignore: decorator
@inline function hash4(v: u32): usize {
  return <usize>((v * 0x1e35a7bd) >> (32 - HASH_BITS));
}

/** Number of equal bytes at a and b (a < b), not reading at or past end. */
// @ts-ignore: decorator
@inline function matchLength(a: usize, b: usize, end: usize): usize {
  let n: usize = 0;
  while (b + n + 8 <= end) {
    const x = load<u64>(a + n) ^ load<u64>(b + n);
    if (x != 0) return n + <usize>(ctz(x) >> 3);
    n += 8;
  }
  while (b + n < end && load<u8>(a + n) == load<u8>(b + n)) n++;
  return n;
}

/** Copies n bytes; may write up to 15 bytes past dst + n (scratch has slack); never reads at or past end. */
// @ts-ignore: decorator
@inline function copyLiterals(dst: usize, src: usize, n: usize, end: usize): void {
  if (n <= 16 && src + 16 <= end) {
    v128.store(dst, v128.load(src));
  } else {
    memory.copy(dst, src, n);
  }
}

// @ts-ignore: decorator
@inline function emitLength(op: usize, rest: usize): usize {
  while (rest > 255) {
    store<u8>(op++, 0);
    rest -= 255;
  }
  store<u8>(op++, <u8>rest);
  return op;
}

/** Compresses one page into out; returns the stream length (may exceed n; caller then stores raw). */
function compressPage(src: usize, n: usize, out: usize, table: usize): usize {
  const end = src + n;
  let op = out;
  let anchor = src;
  let statePos: usize = 0; // byte whose low 2 bits carry the literal count after the last match
  if (n >= 8) {
    const hashLimit = end - 4;
    let ip = src + 1;
    while (ip <= hashLimit) {
      const seq = load<u32>(ip);
      const slot = table + (hash4(seq) << 2);
      let cand = <usize>load<u32>(slot);
      store<u32>(slot, <u32>ip);
      if (cand < src || cand >= ip || ip - cand > M3_MAX_OFFSET || load<u32>(cand) != seq) {
        ip += 1 + ((ip - anchor) >> 5);
        continue;
      }
      // extend backwards over pending literals
      while (ip > anchor && cand > src && load<u8>(ip - 1) == load<u8>(cand - 1)) {
        ip--;
        cand--;
      }
      const len: usize = 4 + matchLength(cand + 4, ip + 4, end);
      // literals before the match
      const lit = ip - anchor;
      if (lit > 0) {
        if (statePos == 0) {
          if (lit <= 238) {
            store<u8>(op++, <u8>(17 + lit));
          } else {
            store<u8>(op++, 0);
            op = emitLength(op, lit - 18);
          }
        } else if (lit <= 3) {
          store<u8>(statePos, load<u8>(statePos) | <u8>lit);
        } else if (lit <= 18) {
          store<u8>(op++, <u8>(lit - 3));
        } else {
          store<u8>(op++, 0);
          op = emitLength(op, lit - 18);
        }
        copyLiterals(op, anchor, lit, end);
        op += lit;
        if (op - out >= n) return op - out; // no gain: stored raw
      }
      // the match
      const dist = ip - cand;
      if (len <= 8 && dist <= M2_MAX_OFFSET) {
        const d: usize = dist - 1;
        statePos = op;
        store<u8>(op, <u8>(((len - 1) << 5) | ((d & 7) << 2)));
        store<u8>(op, <u8>(d >> 3), 1);
        op += 2;
      } else {
        if (len - 2 <= 31) {
          store<u8>(op++, <u8>(32 | (len - 2)));
        } else {
          store<u8>(op++, 32);
          op = emitLength(op, len - 2 - 31);
        }
        const d: usize = dist - 1;
        statePos = op;
        store<u16>(op, <u16>(d << 2));
        op += 2;
      }
      ip += len;
      anchor = ip;
      // index one position inside the match for the next search
      if (ip <= hashLimit) {
        const p = ip - 2;
        store<u32>(table + (hash4(load<u32>(p)) << 2), <u32>p);
      }
    }
  }
  // trailing literals
  const lit = end - anchor;
  if (lit > 0) {
    if (statePos == 0) {
      if (lit <= 238) {
        store<u8>(op++, <u8>(17 + lit));
      } else {
        store<u8>(op++, 0);
        op = emitLength(op, lit - 18);
      }
    } else if (lit <= 3) {
      store<u8>(statePos, load<u8>(statePos) | <u8>lit);
    } else if (lit <= 18) {
      store<u8>(op++, <u8>(lit - 3));
    } else {
      store<u8>(op++, 0);
      op = emitLength(op, lit - 18);
    }
    memory.copy(op, anchor, lit);
    op += lit;
  }
  // end of stream
  store<u8>(op, 0x11);
  store<u16>(op + 1, 0);
  return op + 3 - out;
}

/**
 * Compresses `pages` consecutive pages of `pageSize` bytes at `input`, appending each page's
 * stored form to `output`. sizes[i] (u32) = stored length, with bit 31 set when the page is
 * stored raw (the compressed form was not smaller). Returns the total bytes written.
 * A page that does not fit in outputCapacity gets size 0 and stops the batch.
 */
export function lzoCompressPages(
  input: usize,
  pages: u32,
  pageSize: u32,
  output: usize,
  outputCapacity: usize,
  sizes: usize,
): u32 {
  if (hashTable == 0) hashTable = heap.alloc(HASH_SIZE << 2);
  const need = <usize>pageSize * 2 + 64;
  if (scratchSize < need) {
    scratch = heap.alloc(need);
    scratchSize = need;
  }
  // Positions are absolute; entries below the current page start are ignored, so one clear
  // per call makes every page independent of its neighbours and of earlier calls.
  memory.fill(hashTable, 0, HASH_SIZE << 2);
  let total: usize = 0;
  const ps = <usize>pageSize;
  for (let i: u32 = 0; i < pages; i++) {
    const src = input + <usize>i * ps;
    const clen = compressPage(src, ps, scratch, hashTable);
    let stored: usize;
    let word: u32;
    if (clen < ps) {
      stored = clen;
      word = <u32>clen;
    } else {
      stored = ps;
      word = <u32>ps | 0x80000000;
    }
    if (total + stored > outputCapacity) {
      for (let j = i; j < pages; j++) store<u32>(sizes + (<usize>j << 2), 0);
      break;
    }
    memory.copy(output + total, clen < ps ? scratch : src, stored);
    store<u32>(sizes + (<usize>i << 2), word);
    total += stored;
  }
  return <u32>total;
}
