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
  backwardLength1, backwardLength8, copyRun, findPageMatch, forwardLength, indexInsideMatch, pageMatch,
} from "./lz/match";
import { compressPageBatch } from "./lz/page-batch";

const M2_MAX_OFFSET: usize = 0x800;
const M3_MAX_OFFSET: usize = 0x4000;

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
 * A run of lit > 0 literals after the pending match word at pendAt (0 at stream start), then the
 * literals: the pending word is stored with 1..3 in its state bits (at `shift`), or the run gets its
 * own instruction: 17+n at stream start, else 0000LLLL [ext]. Returns the new output position.
 */
// @ts-ignore: decorator
@inline function emitLiteralRun(op: usize, pendAt: usize, pend: u32, shift: u32, anchor: usize, lit: usize): usize {
  if (pendAt == 0) {
    if (lit <= 238) {
      store<u8>(op++, <u8>(17 + lit));
    } else {
      store<u8>(op++, 0);
      op = emitLength(op, lit - 18);
    }
  } else if (lit <= 3) {
    store<u32>(pendAt, pend | (<u32>lit << shift));
  } else {
    store<u32>(pendAt, pend);
    if (lit <= 18) {
      store<u8>(op++, <u8>(lit - 3));
    } else {
      store<u8>(op++, 0);
      op = emitLength(op, lit - 18);
    }
  }
  copyRun(op, anchor, lit);
  return op + lit;
}

/**
 * Compresses one page into out. Returns the stream length, or n when the stream would not be
 * shorter than the page (the caller then stores it raw). Writes at most n + (n >> 7) + 32 bytes.
 * `big`: pages over 16 KiB, where a candidate may be too far for an M3 match.
 */
// @ts-ignore: decorator
@inline function compressPage(src: usize, n: usize, out: usize, base: usize, big: bool): usize {
  const end = src + n;
  const rawAt = out + n - 3; // literals reaching here with the end marker still to come: no gain
  let op = out;
  let anchor = src;
  // The last match's instruction is stored when the literal count after it is known: its bytes
  // (2 or 3, reserved before op) at pendAt (0: none yet), value pend, state bits at pendShift.
  let pendAt: usize = 0;
  let pend: u32 = 0;
  let pendShift: u32 = 0;
  if (n >= 8) {
    const hashLimit = end - 4;
    let ip = src + 1;
    while (ip <= hashLimit) {
      ip = findPageMatch(ip, hashLimit, anchor, src, base, big, M3_MAX_OFFSET);
      if (ip > hashLimit) break;
      const cand = pageMatch;
      // The next search starts at ip + fwd. The backward extension only moves the emitted match's
      // start, and the literal path is chosen on the count before it (known before the candidate
      // is): short runs extend back by at most one byte, long ones by up to 8.
      const fwd = forwardLength(ip, cand, end);
      const d: usize = ip - cand - 1;
      const lit0 = ip - anchor;
      let back: usize;
      let lit: usize;
      if (lit0 <= 16 && pendAt != 0 && op + lit0 < rawAt) {
        back = backwardLength1(ip, cand, anchor, src);
        lit = lit0 - back;
        // 0..3 go into the pending instruction's state bits, 4..16 get one 0000LLLL byte; branch-free.
        // (The pending word's u32 store may spill into op..op+1, which is written after it.)
        const small = lit <= 3;
        store<u32>(pendAt, pend | (<u32>select<usize>(lit, 0, small) << pendShift));
        store<u8>(op, <u8>(lit - 3));
        op += select<usize>(0, 1, small);
        if (anchor + 16 <= end) v128.store(op, v128.load(anchor));
        else copyRun(op, anchor, lit);
        op += lit;
      } else {
        back = backwardLength8(ip, cand, anchor, src);
        lit = lit0 - back;
        // the literals and the end-of-stream marker alone reach the page size: stored raw
        if (op + lit >= rawAt) return n;
        if (lit != 0) op = emitLiteralRun(op, pendAt, pend, pendShift, anchor, lit);
        else store<u32>(pendAt, pend);
      }
      // the match (stored with the next literal count)
      const len = fwd + back;
      if (len <= 33) {
        const m2 = len <= 8 && d < M2_MAX_OFFSET;
        const w2 = (<u32>(len - 1) << 5) | (<u32>(d & 7) << 2) | (<u32>(d >> 3) << 8);
        const w3 = (<u32>32 | <u32>(len - 2)) | (<u32>d << 10);
        pend = select<u32>(w2, w3, m2);
        pendShift = select<u32>(0, 8, m2);
        pendAt = op;
        op += select<usize>(2, 3, m2);
      } else {
        store<u8>(op++, 32);
        op = emitLength(op, len - 33);
        pend = <u32>d << 2;
        pendShift = 0;
        pendAt = op;
        op += 2;
      }
      ip += fwd;
      anchor = ip;
      indexInsideMatch(ip, hashLimit, base);
    }
  }
  // trailing literals
  const lit = end - anchor;
  if (op + lit >= rawAt) return n;
  if (lit > 0) op = emitLiteralRun(op, pendAt, pend, pendShift, anchor, lit);
  else if (pendAt != 0) store<u32>(pendAt, pend);
  // end of stream
  store<u8>(op, 0x11);
  store<u16>(op + 1, 0);
  return op + 3 - out;
}

function compressSmallPage(src: usize, n: usize, out: usize, base: usize): usize {
  return compressPage(src, n, out, base, false);
}

function compressBigPage(src: usize, n: usize, out: usize, base: usize): usize {
  return compressPage(src, n, out, base, true);
}

/** LZ page-batch ABI (lz/page-batch.ts): LZO1X-1 per page. */
export function lzoCompressPages(input: usize, pages: u32, pageSize: u32, output: usize, outputCapacity: usize, sizes: usize): u32 {
  // compressPage may write this far past the page length
  return compressPageBatch(input, pages, pageSize, output, outputCapacity, sizes, (pageSize >> 7) + 32, M3_MAX_OFFSET, compressSmallPage, compressBigPage);
}
