// Snappy raw-block page compressor, written from snappy's format_description.txt.
// Output = varint(uncompressed length) followed by elements, as makedumpfile's `-p` stores
// it (snappy_compress, no framing). Elements (low 2 bits of the tag byte):
//   00 literal: len-1 in the upper 6 bits when < 60; 60/61 = 1/2 length bytes (LE) follow
//   01 copy, 1-byte offset: length 4..11 in bits 2..4, offset bits 8..10 in bits 5..7, then offset low byte
//   10 copy, 2-byte offset: length 1..64 in the upper 6 bits, then LE16 offset

import {
  appendPage, clearedHashTable, copyLiterals, extendBackward, hashSlot, indexAfterMatch, matchLength, skipStep,
} from "./lz/match";

const MAX_OFFSET: usize = 0xffff;

let hashTable: usize = 0;
let scratch: usize = 0;
let scratchSize: usize = 0;

// @ts-ignore: decorator
@inline function emitLiteral(op: usize, src: usize, n: usize, end: usize): usize {
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
  copyLiterals(op, src, n, end);
  return op + n;
}

// @ts-ignore: decorator
@inline function emitCopy(op: usize, offset: usize, len: usize): usize {
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
  if (len < 12 && offset < 2048) {
    store<u8>(op, <u8>(1 | ((len - 4) << 2) | ((offset >> 8) << 5)));
    store<u8>(op, <u8>offset, 1);
    op += 2;
  } else {
    store<u8>(op, <u8>(2 | ((len - 1) << 2)));
    store<u16>(op + 1, <u16>offset);
    op += 3;
  }
  return op;
}

function compressPage(src: usize, n: usize, out: usize, table: usize): usize {
  const end = src + n;
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
      const seq = load<u32>(ip);
      const slot = hashSlot(table, seq);
      let cand = <usize>load<u32>(slot);
      store<u32>(slot, <u32>ip);
      if (cand < src || cand >= ip || ip - cand > MAX_OFFSET || load<u32>(cand) != seq) {
        ip += skipStep(ip, anchor);
        continue;
      }
      const back = extendBackward(ip, cand, anchor, src);
      ip -= back;
      cand -= back;
      const len: usize = 4 + matchLength(cand + 4, ip + 4, end);
      if (ip > anchor) {
        op = emitLiteral(op, anchor, ip - anchor, end);
        if (op - out >= n) return op - out;
      }
      op = emitCopy(op, ip - cand, len);
      ip += len;
      anchor = ip;
      indexAfterMatch(table, ip, hashLimit);
    }
  }
  if (end > anchor) op = emitLiteral(op, anchor, end - anchor, end);
  return op - out;
}

/**
 * Compresses `pages` consecutive pages of `pageSize` bytes at `input`, appending each page's
 * stored form to `output`. sizes[i] (u32) = stored length, with bit 31 set when the page is
 * stored raw (the compressed form was not smaller). Returns the total bytes written.
 * A page that does not fit in outputCapacity gets size 0 and stops the batch.
 */
export function snappyCompressPages(
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
