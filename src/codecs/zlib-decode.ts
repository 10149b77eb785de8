/**
 * zlib (RFC 1950) stream decoder for the pages makedumpfile `-c` stores (one zlib stream per page), written from
 * RFC 1950 and RFC 1951. It exists because a browser has no synchronous inflate: DecompressionStream costs a quarter
 * of a millisecond per page in Chromium (a millisecond and a half through a Blob), about what reading and
 * decoding a whole window of pages should.
 *
 * Safe on any input: bit reads past the end of the input, codes no table holds, distances before the start of the
 * output, output beyond `capacity` and a wrong Adler-32 all throw an Error saying what and where.
 */
import { copyBack, copyInput } from './lz-copy.js';

/** Bits resolved by one table look-up; longer codes (rare in a page's tables) are decoded bit by bit. */
const TABLE_BITS = 10;
const MAX_BITS = 15;
/** Length symbols 257..285: base lengths and extra bits. */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/** Distance symbols 0..29: base distances and extra bits. */
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order the code length code's lengths are stored in. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * A canonical Huffman code: `table[bits]` for the next TABLE_BITS input bits is symbol << 4 | code length (0: a
 * longer code, or none), `count`/`symbols` decode any code bit by bit.
 */
class HuffmanCode {
  readonly table = new Int32Array(1 << TABLE_BITS);
  readonly count = new Uint16Array(MAX_BITS + 1);
  readonly symbols: Uint16Array;
  constructor(maxSymbols: number) {
    this.symbols = new Uint16Array(maxSymbols);
  }

  /** Builds the code from the first `n` entries of `lengths`; an over-subscribed set of lengths is refused. */
  build(lengths: Uint8Array, n: number, what: string): void {
    const { table, count, symbols } = this;
    count.fill(0);
    for (let s = 0; s < n; s++) count[lengths[s]!]!++;
    count[0] = 0;
    const offsets = new Uint16Array(MAX_BITS + 2);
    let left = 1;
    for (let len = 1; len <= MAX_BITS; len++) {
      left = (left << 1) - count[len]!;
      if (left < 0) throw new Error(`zlib ${what} code is over-subscribed`);
      offsets[len + 1] = offsets[len]! + count[len]!;
    }
    for (let s = 0; s < n; s++) if (lengths[s] !== 0) symbols[offsets[lengths[s]!]!++] = s;
    table.fill(0);
    // Codes in canonical order: each short one fills every table slot whose low bits are its bits, reversed.
    let code = 0;
    let k = 0;
    for (let len = 1; len <= TABLE_BITS; len++, code <<= 1)
      for (let i = 0; i < count[len]!; i++, code++, k++) {
        let reversed = 0;
        for (let b = 0; b < len; b++) reversed |= ((code >>> b) & 1) << (len - 1 - b);
        for (let slot = reversed; slot < 1 << TABLE_BITS; slot += 1 << len) table[slot] = (symbols[k]! << 4) | len;
      }
  }
}

/** Reused by every call (decoding is synchronous): a page's tables cost no allocation. */
const litLen = new HuffmanCode(288);
const dist = new HuffmanCode(32);
const codeLengths = new HuffmanCode(19);
const lengths = new Uint8Array(288 + 32);
let fixed: { litLen: HuffmanCode; dist: HuffmanCode } | undefined;

function fixedCodes(): { litLen: HuffmanCode; dist: HuffmanCode } {
  if (fixed) return fixed;
  const l = new Uint8Array(288);
  l.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
  const codes = { litLen: new HuffmanCode(288), dist: new HuffmanCode(32) };
  codes.litLen.build(l, 288, 'fixed literal/length');
  codes.dist.build(new Uint8Array(30).fill(5), 30, 'fixed distance');
  return (fixed = codes);
}

/** Decodes one zlib stream into at most `capacity` bytes; returns exactly the bytes it produced. */
export function zlibDecompress(src: Uint8Array, capacity: number): Uint8Array {
  if (src.length < 6) throw new Error(`zlib stream of ${src.length} bytes is too short`);
  const cmf = src[0]!;
  const flg = src[1]!;
  if ((cmf & 15) !== 8 || cmf >>> 4 > 7) throw new Error(`zlib header 0x${cmf.toString(16)}: not deflate with a window of at most 32 KiB`);
  if (((cmf << 8) | flg) % 31 !== 0) throw new Error('zlib header check bits are wrong');
  if (flg & 0x20) throw new Error('zlib stream needs a preset dictionary');
  const dst = new Uint8Array(capacity);
  const end = src.length;
  let ip = 2;
  let op = 0;
  // Input bits not yet used, least significant first; bytes past the input read as zero and are counted in `over`.
  let buf = 0;
  let bits = 0;
  let over = 0;
  const need = (n: number): void => {
    while (bits < n) {
      if (ip < end) buf |= src[ip++]! << bits;
      else over++;
      bits += 8;
    }
    if (over * 8 > bits) throw new Error(`zlib stream ends early (${end} bytes)`);
  };
  const take = (n: number): number => {
    need(n);
    const v = buf & ((1 << n) - 1);
    buf >>>= n;
    bits -= n;
    return v;
  };
  const symbol = (code: HuffmanCode, what: string): number => {
    need(MAX_BITS);
    const hit = code.table[buf & ((1 << TABLE_BITS) - 1)]!;
    if (hit !== 0) {
      const len = hit & 15;
      buf >>>= len;
      bits -= len;
      return hit >>> 4;
    }
    // A code longer than the table: walk the canonical code a bit at a time.
    let first = 0;
    let index = 0;
    let c = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      c |= buf & 1;
      buf >>>= 1;
      bits--;
      const n = code.count[len]!;
      if (c - first < n) return code.symbols[index + c - first]!;
      index += n;
      first = (first + n) << 1;
      c <<= 1;
    }
    throw new Error(`zlib stream holds a ${what} code its table does not have (input byte ${ip})`);
  };

  for (let last = 0; !last; ) {
    last = take(1);
    const type = take(2);
    if (type === 0) {
      // Stored: the rest of this byte is skipped; LEN and NLEN follow.
      buf >>>= bits & 7;
      bits -= bits & 7;
      const len = take(16);
      if ((take(16) ^ 0xffff) !== len) throw new Error(`zlib stored block length check fails (input byte ${ip})`);
      // The bit buffer holds whole bytes now: give back those read from the input.
      if (over * 8 > bits) throw new Error(`zlib stream ends early (${end} bytes)`);
      ip -= (bits >>> 3) - over;
      buf = bits = over = 0;
      if (ip + len > end) throw new Error(`zlib stored block of ${len} bytes runs past the end of the input`);
      if (op + len > capacity) throw new Error(`zlib output would exceed ${capacity} bytes`);
      copyInput(dst, op, src, ip, len);
      ip += len;
      op += len;
      continue;
    }
    let lit: HuffmanCode;
    let dis: HuffmanCode;
    if (type === 1) ({ litLen: lit, dist: dis } = fixedCodes());
    else if (type === 2) {
      const nlen = take(5) + 257;
      const ndist = take(5) + 1;
      const ncode = take(4) + 4;
      if (nlen > 286 || ndist > 30) throw new Error(`zlib block claims ${nlen} length and ${ndist} distance codes`);
      lengths.fill(0, 0, 19);
      for (let i = 0; i < ncode; i++) lengths[CODE_LENGTH_ORDER[i]!] = take(3);
      codeLengths.build(lengths, 19, 'code length');
      for (let i = 0; i < nlen + ndist; ) {
        const s = symbol(codeLengths, 'code length');
        if (s < 16) {
          lengths[i++] = s;
          continue;
        }
        let value = 0;
        let repeat: number;
        if (s === 16) {
          if (i === 0) throw new Error('zlib code lengths repeat a length before the first');
          value = lengths[i - 1]!;
          repeat = 3 + take(2);
        } else repeat = s === 17 ? 3 + take(3) : 11 + take(7);
        if (i + repeat > nlen + ndist) throw new Error('zlib code lengths run past their count');
        lengths.fill(value, i, i + repeat);
        i += repeat;
      }
      if (lengths[256] === 0) throw new Error('zlib block has no end-of-block code');
      litLen.build(lengths, nlen, 'literal/length');
      dist.build(lengths.subarray(nlen), ndist, 'distance');
      lit = litLen;
      dis = dist;
    } else throw new Error(`zlib block type 3 is reserved (input byte ${ip})`);

    for (;;) {
      const s = symbol(lit, 'literal/length');
      if (s < 256) {
        if (op >= capacity) throw new Error(`zlib output would exceed ${capacity} bytes`);
        dst[op++] = s;
        continue;
      }
      if (s === 256) break;
      if (s > 285) throw new Error(`zlib length symbol ${s} is invalid`);
      const n = LENGTH_BASE[s - 257]! + take(LENGTH_EXTRA[s - 257]!);
      const d = symbol(dis, 'distance');
      if (d > 29) throw new Error(`zlib distance symbol ${d} is invalid`);
      const distance = DIST_BASE[d]! + take(DIST_EXTRA[d]!);
      if (distance > op) throw new Error(`zlib match ${distance} bytes back at output byte ${op} reaches before the start of the output`);
      if (op + n > capacity) throw new Error(`zlib output would exceed ${capacity} bytes`);
      copyBack(dst, op, distance, n);
      op += n;
    }
  }
  // The Adler-32 of the output follows, big-endian, from the next whole byte.
  if (over > bits >>> 3) throw new Error(`zlib stream ends early (${end} bytes)`);
  ip -= (bits >>> 3) - over;
  if (ip + 4 > end) throw new Error(`zlib stream ends before its Adler-32 (${end} bytes)`);
  const stored = ((src[ip]! << 24) | (src[ip + 1]! << 16) | (src[ip + 2]! << 8) | src[ip + 3]!) >>> 0;
  const out = op === capacity ? dst : dst.subarray(0, op);
  if (adler32(out) !== stored) throw new Error('zlib stream fails its Adler-32 check');
  return out;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    // 5552 bytes is the most that cannot overflow b before the modulo.
    const stop = Math.min(bytes.length, i + 5552);
    for (; i < stop; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
