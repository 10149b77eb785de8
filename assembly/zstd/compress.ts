// zstd page compressor, written from RFC 8878. One frame per page, as makedumpfile's `-z` stores
// it (ZSTD_compressCCtx): magic, a single-segment frame header with the content size, no checksum,
// and one last block: RLE when the page is one repeated byte, else a compressed block holding
// the literals (Huffman-coded when that is smaller, else raw) and the sequences coded with the
// predefined FSE distributions. A page whose frame is not smaller than the page is stored raw.
import {
  fseInit, llCode, mlCode,
  LL_AL, ML_AL, OF_AL, LL_BASE, LL_BITS, ML_BASE, ML_BITS,
  LL_SYM, ML_SYM, OF_SYM, LL_CELLS, ML_CELLS, OF_CELLS,
} from "./fse";
import { writeLiterals } from "./literals";
import {
  appendPage, clearedHashTable, copyLiterals, extendBackward, hashSlot, indexAfterMatch, matchLength, skipStep,
} from "../lz/match";

const MAGIC: u32 = 0xfd2fb528;

let hashTable: usize = 0;
let scratch: usize = 0; // frame under construction
let litBuf: usize = 0; // the page's literals, in order
let seqBuf: usize = 0; // per sequence: literal length, match length, offset value (u32 each)
let bufPageSize: usize = 0;

// ---- backward bitstream writer (§4.1: bits are read from the end) ----
let bitAcc: u64 = 0;
let bitCount: u32 = 0;
let bitOut: usize = 0;

// @ts-ignore: decorator
@inline function addBits(value: u32, n: u32): void {
  bitAcc |= <u64>value << bitCount;
  bitCount += n;
  store<u64>(bitOut, bitAcc);
  bitOut += bitCount >> 3;
  bitAcc >>= <u64>(bitCount & ~7);
  bitCount &= 7;
}

/** Moves the encoder from `state` (where the next symbol is decoded) to a state of symbol s. */
// @ts-ignore: decorator
@inline function fseEncode(state: u32, s: u32, sym: usize, cells: usize, al: u32): u32 {
  const e = sym + (<usize>s << 3);
  const c = <u32>load<u16>(e);
  const mb = <u32>load<u16>(e, 2);
  const v = state + (1 << al);
  const nb = v < c << mb ? mb - 1 : mb;
  addBits(v & ((1 << nb) - 1), nb);
  return <u32>load<u16>(cells + ((<usize>load<u16>(e, 4) + <usize>(v >> nb) - <usize>c) << 1));
}

// @ts-ignore: decorator
@inline function firstState(s: u32, sym: usize, cells: usize): u32 {
  return <u32>load<u16>(cells + (<usize>load<u16>(sym + (<usize>s << 3), 4) << 1));
}

function isRepeatedByte(src: usize, n: usize): bool {
  const b = load<u8>(src);
  const w = <u64>b * 0x0101010101010101;
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(src + i) != w) return false;
  for (; i < n; i++) if (load<u8>(src + i) != b) return false;
  return true;
}

/** Greedy LZ parse of one page into seqBuf/litBuf; returns the number of sequences. */
function parse(src: usize, n: usize, table: usize): u32 {
  const end = src + n;
  let anchor = src;
  let lit = litBuf;
  let seq = seqBuf;
  let rep: usize = 1; // the decoder's Repeated_Offset1 (initially 1)
  if (n >= 8) {
    const hashLimit = end - 4;
    let ip = src + 1;
    while (ip <= hashLimit) {
      const cur = load<u32>(ip);
      const slot = hashSlot(table, cur);
      let cand: usize;
      if (ip > anchor && ip - rep >= src && load<u32>(ip - rep) == cur) {
        cand = ip - rep;
        store<u32>(slot, <u32>ip);
      } else {
        cand = <usize>load<u32>(slot);
        store<u32>(slot, <u32>ip);
        if (cand < src || cand >= ip || load<u32>(cand) != cur) {
          ip += skipStep(ip, anchor);
          continue;
        }
      }
      const back = extendBackward(ip, cand, anchor, src);
      ip -= back;
      cand -= back;
      const len: usize = 4 + matchLength(cand + 4, ip + 4, end);
      const ll = ip - anchor;
      const dist = ip - cand;
      copyLiterals(lit, anchor, ll, end);
      lit += ll;
      store<u32>(seq, <u32>ll);
      store<u32>(seq, <u32>len, 4);
      // offset value 1 = Repeated_Offset1 (only when the literal length is not 0); else offset + 3
      store<u32>(seq, ll > 0 && dist == rep ? 1 : <u32>(dist + 3), 8);
      seq += 12;
      rep = dist;
      ip += len;
      anchor = ip;
      indexAfterMatch(table, ip, hashLimit);
    }
  }
  memory.copy(lit, anchor, end - anchor);
  litCount = lit + (end - anchor) - litBuf;
  return <u32>((seq - seqBuf) / 12);
}

let litCount: usize = 0;

/** Sequences section (§3.1.1.3.2) with predefined modes; returns its end. */
function writeSequences(op: usize, nbSeq: u32): usize {
  if (nbSeq < 128) {
    store<u8>(op++, <u8>nbSeq);
  } else {
    store<u8>(op, <u8>((nbSeq >> 8) + 128));
    store<u8>(op, <u8>nbSeq, 1);
    op += 2;
  }
  if (nbSeq == 0) return op;
  store<u8>(op++, 0); // Literals_Lengths_Mode, Offsets_Mode, Match_Lengths_Mode = predefined
  bitAcc = 0;
  bitCount = 0;
  bitOut = op;
  // the last sequence first: its extra bits, then the rest backwards
  let e = seqBuf + <usize>(nbSeq - 1) * 12;
  let ll = load<u32>(e);
  let ml = load<u32>(e, 4);
  let ov = load<u32>(e, 8);
  let llc = llCode(ll);
  let mlc = mlCode(ml);
  let ofc = 31 - clz(ov);
  let stLL = firstState(llc, LL_SYM, LL_CELLS);
  let stML = firstState(mlc, ML_SYM, ML_CELLS);
  let stOF = firstState(ofc, OF_SYM, OF_CELLS);
  addBits(ll - load<u32>(LL_BASE + (<usize>llc << 2)), <u32>load<u8>(LL_BITS + llc));
  addBits(ml - load<u32>(ML_BASE + (<usize>mlc << 2)), <u32>load<u8>(ML_BITS + mlc));
  addBits(ov - (1 << ofc), ofc);
  for (let i = <i32>nbSeq - 2; i >= 0; i--) {
    e = seqBuf + <usize>i * 12;
    ll = load<u32>(e);
    ml = load<u32>(e, 4);
    ov = load<u32>(e, 8);
    llc = llCode(ll);
    mlc = mlCode(ml);
    ofc = 31 - clz(ov);
    stOF = fseEncode(stOF, ofc, OF_SYM, OF_CELLS, OF_AL);
    stML = fseEncode(stML, mlc, ML_SYM, ML_CELLS, ML_AL);
    stLL = fseEncode(stLL, llc, LL_SYM, LL_CELLS, LL_AL);
    addBits(ll - load<u32>(LL_BASE + (<usize>llc << 2)), <u32>load<u8>(LL_BITS + llc));
    addBits(ml - load<u32>(ML_BASE + (<usize>mlc << 2)), <u32>load<u8>(ML_BITS + mlc));
    addBits(ov - (1 << ofc), ofc);
  }
  addBits(stML, ML_AL);
  addBits(stOF, OF_AL);
  addBits(stLL, LL_AL);
  addBits(1, 1); // end mark; the decoder starts after the highest set bit of the last byte
  return bitOut + (bitCount > 0 ? 1 : 0);
}

/** Writes the page's frame at out; returns its length (>= n means: store raw). */
function compressPage(src: usize, n: usize, out: usize, table: usize): usize {
  let op = out;
  store<u32>(op, MAGIC);
  op += 4;
  // Frame_Header_Descriptor: Single_Segment_flag (0x20), FCS field size by Frame_Content_Size_flag
  if (n < 256) {
    store<u8>(op, 0x20);
    store<u8>(op, <u8>n, 1);
    op += 2;
  } else if (n < 65536 + 256) {
    store<u8>(op, 0x60);
    store<u16>(op + 1, <u16>(n - 256));
    op += 3;
  } else {
    store<u8>(op, 0xa0);
    store<u32>(op + 1, <u32>n);
    op += 5;
  }
  if (isRepeatedByte(src, n)) {
    // RLE block, last
    const h = (<u32>n << 3) | (1 << 1) | 1;
    store<u16>(op, <u16>h);
    store<u8>(op + 2, <u8>(h >> 16));
    store<u8>(op + 3, load<u8>(src));
    return op + 4 - out;
  }
  const nbSeq = parse(src, n, table);
  const block = op + 3;
  let p = writeLiterals(block, litBuf, litCount);
  if (p - out >= n) return n;
  p = writeSequences(p, nbSeq);
  const size = p - block;
  const h = (<u32>size << 3) | (2 << 1) | 1; // compressed, last
  store<u16>(op, <u16>h);
  store<u8>(op + 2, <u8>(h >> 16));
  return p - out;
}

/**
 * Compresses `pages` consecutive pages of `pageSize` bytes at `input`, appending each page's
 * stored form (a zstd frame) to `output`. sizes[i] (u32) = stored length, with bit 31 set when
 * the page is stored raw (the frame was not smaller). Returns the total bytes written.
 * A page that does not fit in outputCapacity gets size 0 and stops the batch.
 */
export function zstdCompressPages(input: usize, pages: u32, pageSize: u32, output: usize, outputCapacity: usize, sizes: usize): u32 {
  fseInit();
  hashTable = clearedHashTable(hashTable);
  const ps = <usize>pageSize;
  if (bufPageSize < ps) {
    scratch = heap.alloc(ps * 4 + 1024);
    litBuf = heap.alloc(ps + 64);
    seqBuf = heap.alloc((ps / 4 + 2) * 12);
    bufPageSize = ps;
  }
  let total: usize = 0;
  for (let i: u32 = 0; i < pages; i++) {
    const src = input + <usize>i * ps;
    const clen = compressPage(src, ps, scratch, hashTable);
    const stored = appendPage(output + total, outputCapacity - total, sizes, i, pages, src, ps, scratch, clen);
    if (stored == 0) break;
    total += stored;
  }
  return <u32>total;
}
