// Snappy raw-block page compressor, written from snappy's format_description.txt.
// Output = varint(uncompressed length) followed by elements, as makedumpfile's `-p` stores
// it (snappy_compress, no framing). Elements (low 2 bits of the tag byte):
//   00 literal: len-1 in the upper 6 bits when < 60; 60/61 = 1/2 length bytes (LE) follow
//   01 copy, 1-byte offset: length 4..11 in bits 2..4, offset bits 8..10 in bits 5..7, then offset low byte
//   10 copy, 2-byte offset: length 1..64 in the upper 6 bits, then LE16 offset

import {
  backwardLength1, backwardLength8, copyRun, findPageMatch, forwardLength, indexInsideMatch, pageMatch,
} from "./lz/match";
import { compressPageBatch } from "./lz/page-batch";

const MAX_OFFSET: usize = 0xffff;

/** A literal element for n > 0 bytes at src; returns the new output position. */
// @ts-ignore: decorator
@inline function emitLiteral(op: usize, src: usize, n: usize): usize {
  const m = n - 1;
  if (m < 60) {
    store<u8>(op++, <u8>(m << 2));
  } else if (m < 256) {
    store<u8>(op, 60 << 2);
    store<u8>(op, <u8>m, 1);
    op += 2;
  } else if (m < 65536) {
    store<u8>(op, 61 << 2);
    store<u16>(op + 1, <u16>m);
    op += 3;
  } else {
    store<u8>(op, 62 << 2);
    store<u16>(op + 1, <u16>m);
    store<u8>(op + 3, <u8>(m >> 16));
    op += 4;
  }
  copyRun(op, src, n);
  return op + n;
}

/** Copy elements for a match of len >= 4 at distance offset (1..65535); returns the new output position. */
// @ts-ignore: decorator
@inline function emitCopy(op: usize, offset: usize, len: usize): usize {
  if (len > 64) {
    while (len >= 68) {
      store<u8>(op, (63 << 2) | 2);
      store<u16>(op + 1, <u16>offset);
      op += 3;
      len -= 64;
    }
    if (len > 64) {
      store<u8>(op, (59 << 2) | 2);
      store<u16>(op + 1, <u16>offset);
      op += 3;
      len -= 60;
    }
  }
  // 4..64 bytes: the 1-byte-offset form when it fits, else the 2-byte-offset form (branch-free)
  const short = len < 12 && offset < 2048;
  const w1 = <u32>1 | (<u32>(len - 4) << 2) | (<u32>(offset >> 8) << 5) | (<u32>(offset & 0xff) << 8);
  const w2 = <u32>2 | (<u32>(len - 1) << 2) | (<u32>offset << 8);
  store<u32>(op, select<u32>(w1, w2, short));
  return op + select<usize>(2, 3, short);
}

/**
 * Compresses one page into out. Returns the stream length, or n when the stream would not be
 * shorter than the page (the caller then stores it raw). Writes at most n + (n >> 4) + 32 bytes.
 * `big`: pages over 64 KiB, where a candidate may be too far for a copy element.
 */
// @ts-ignore: decorator
@inline function compressPage(src: usize, n: usize, out: usize, base: usize, big: bool): usize {
  const end = src + n;
  const rawAt = out + n; // output reaching here: no gain
  let op = out;
  // varint length
  let v = n;
  while (v >= 0x80) {
    store<u8>(op++, <u8>(v | 0x80));
    v >>= 7;
  }
  store<u8>(op++, <u8>v);
  let anchor = src;
  if (n >= 8) {
    const hashLimit = end - 4;
    let ip = src + 1;
    while (ip <= hashLimit) {
      ip = findPageMatch(ip, hashLimit, anchor, src, base, big, MAX_OFFSET);
      if (ip > hashLimit) break;
      const cand = pageMatch;
      // The next search starts at ip + fwd. The backward extension only moves the emitted copy's
      // start, and the literal path is chosen on the count before it (known before the candidate
      // is): short runs extend back by at most one byte, long ones by up to 8.
      const fwd = forwardLength(ip, cand, end);
      const lit0 = ip - anchor;
      let back: usize;
      if (lit0 <= 16 && op + lit0 < rawAt) {
        back = backwardLength1(ip, cand, anchor, src);
        const lit = lit0 - back;
        // 0..16 literals: a one-byte tag (none for 0), branch-free
        store<u8>(op, <u8>((lit - 1) << 2));
        op += select<usize>(1, 0, lit != 0);
        if (anchor + 16 <= end) v128.store(op, v128.load(anchor));
        else copyRun(op, anchor, lit);
        op += lit;
      } else {
        back = backwardLength8(ip, cand, anchor, src);
        const lit = lit0 - back;
        // the literals alone reach the page size: stored raw
        if (op + lit >= rawAt) return n;
        if (lit != 0) op = emitLiteral(op, anchor, lit);
      }
      op = emitCopy(op, ip - cand, fwd + back);
      ip += fwd;
      anchor = ip;
      indexInsideMatch(ip, hashLimit, base);
    }
  }
  const lit = end - anchor;
  if (op + lit >= rawAt) return n;
  if (lit > 0) op = emitLiteral(op, anchor, lit);
  return op - out;
}

function compressSmallPage(src: usize, n: usize, out: usize, base: usize): usize {
  return compressPage(src, n, out, base, false);
}

function compressBigPage(src: usize, n: usize, out: usize, base: usize): usize {
  return compressPage(src, n, out, base, true);
}

/** LZ page-batch ABI (lz/page-batch.ts): snappy per page. */
export function snappyCompressPages(input: usize, pages: u32, pageSize: u32, output: usize, outputCapacity: usize, sizes: usize): u32 {
  // compressPage may write this far past the page length
  return compressPageBatch(input, pages, pageSize, output, outputCapacity, sizes, (pageSize >> 4) + 32, 0x10000, compressSmallPage, compressBigPage);
}
