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

import {
  appendPage, clearedHashTable, copyLiterals, extendBackward, hashSlot, indexAfterMatch, matchLength, skipStep,
} from "./lz/match";

const M2_MAX_OFFSET: usize = 0x800;
const M3_MAX_OFFSET: usize = 0x4000;

let hashTable: usize = 0;
let scratch: usize = 0;
let scratchSize: usize = 0;

// @ts-ignore: decorator
@inline function emitLength(op: usize, rest: usize): usize {
  while (rest > 255) {
    store<u8>(op++, 0);
    rest -= 255;
  }
  store<u8>(op++, <u8>rest);
  return op;
}

/**
 * The instruction for a run of lit > 0 literals (their bytes follow it): at stream start 17+n or
 * 0000 + length; after a match, 1..3 go into the match's low 2 bits (at statePos), more get 0000LLLL.
 * Returns the new output position.
 */
// @ts-ignore: decorator
@inline function emitLiteralRun(op: usize, statePos: usize, lit: usize): usize {
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
      const slot = hashSlot(table, seq);
      let cand = <usize>load<u32>(slot);
      store<u32>(slot, <u32>ip);
      if (cand < src || cand >= ip || ip - cand > M3_MAX_OFFSET || load<u32>(cand) != seq) {
        ip += skipStep(ip, anchor);
        continue;
      }
      // extend backwards over pending literals
      const back = extendBackward(ip, cand, anchor, src);
      ip -= back;
      cand -= back;
      const len: usize = 4 + matchLength(cand + 4, ip + 4, end);
      // literals before the match
      const lit = ip - anchor;
      if (lit > 0) {
        op = emitLiteralRun(op, statePos, lit);
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
      indexAfterMatch(table, ip, hashLimit);
    }
  }
  // trailing literals
  const lit = end - anchor;
  if (lit > 0) {
    op = emitLiteralRun(op, statePos, lit);
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
  hashTable = clearedHashTable(hashTable);
  const need = <usize>pageSize * 2 + 64;
  if (scratchSize < need) {
    scratch = heap.alloc(need);
    scratchSize = need;
  }
  let total: usize = 0;
  const ps = <usize>pageSize;
  for (let i: u32 = 0; i < pages; i++) {
    const src = input + <usize>i * ps;
    const clen = compressPage(src, ps, scratch, hashTable);
    const stored = appendPage(output + total, outputCapacity - total, sizes, i, pages, src, ps, scratch, clen);
    if (stored == 0) break;
    total += stored;
  }
  return <u32>total;
}
