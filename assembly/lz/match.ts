// Pieces shared by the greedy single-probe LZ parsers (zstd: the u32 table and helpers below;
// LZO1X-1 and snappy: the page table and helpers at the end) and, where the logic is the same, by
// the zlib encoder: hashing, match extension, the skip heuristic, literal copies and the stored form
// of a page (compressed, or raw with bit 31 of its size word set).
// All @inline, on raw linear memory: no managed allocations, no closures.

/** Bit 31 of a size word: the page is stored raw (its compressed form was not smaller). */
export const STORED_RAW: u32 = 0x80000000;

/** Hash table of the LZ-family parsers: 1 << LZ_HASH_BITS u32 absolute positions. */
export const LZ_HASH_BITS: u32 = 13;
export const LZ_HASH_SIZE: usize = 1 << LZ_HASH_BITS;

/**
 * `table`, or a new LZ_HASH_SIZE table from the heap when 0, cleared. The parsers store absolute
 * positions and ignore entries below the current page start, so one clear per call makes every page
 * independent of its neighbours and of earlier calls.
 */
// @ts-ignore: decorator
@inline export function clearedHashTable(table: usize): usize {
  if (table == 0) table = heap.alloc(LZ_HASH_SIZE << 2);
  memory.fill(table, 0, LZ_HASH_SIZE << 2);
  return table;
}

/** Slot of the 4 bytes `v` (multiplicative hash) in an LZ_HASH_SIZE table at `table`. */
// @ts-ignore: decorator
@inline export function hashSlot(table: usize, v: u32): usize {
  return table + (<usize>((v * 0x1e35a7bd) >> (32 - LZ_HASH_BITS)) << 2);
}

/** Number of equal bytes at a and b (a < b), not reading at or past end. */
// @ts-ignore: decorator
@inline export function matchLength(a: usize, b: usize, end: usize): usize {
  let n: usize = 0;
  while (b + n + 8 <= end) {
    const x = load<u64>(a + n) ^ load<u64>(b + n);
    if (x != 0) return n + <usize>(ctz(x) >> 3);
    n += 8;
  }
  while (b + n < end && load<u8>(a + n) == load<u8>(b + n)) n++;
  return n;
}

/**
 * How far a match at ip (earlier copy at cand) extends backwards over the pending literals
 * (not before anchor) and not before the page start src. The caller moves both ip and cand back by it.
 */
// @ts-ignore: decorator
@inline export function extendBackward(ip: usize, cand: usize, anchor: usize, src: usize): usize {
  let k: usize = 0;
  while (ip - k > anchor && cand - k > src && load<u8>(ip - k - 1) == load<u8>(cand - k - 1)) k++;
  return k;
}

/** Step after a miss: one more byte for every 32 bytes since the last match (incompressible stretches cost little). */
// @ts-ignore: decorator
@inline export function skipStep(ip: usize, anchor: usize): usize {
  return 1 + ((ip - anchor) >> 5);
}

/** After a match ending at ip: index the position two bytes before it for the next search. */
// @ts-ignore: decorator
@inline export function indexAfterMatch(table: usize, ip: usize, hashLimit: usize): void {
  if (ip <= hashLimit) {
    const p = ip - 2;
    store<u32>(hashSlot(table, load<u32>(p)), <u32>p);
  }
}

/** Copies n literal bytes; may write up to 15 bytes past dst + n (callers have slack); never reads at or past end. */
// @ts-ignore: decorator
@inline export function copyLiterals(dst: usize, src: usize, n: usize, end: usize): void {
  if (n <= 16 && src + 16 <= end) {
    v128.store(dst, v128.load(src));
  } else {
    memory.copy(dst, src, n);
  }
}

/**
 * Writes page i's stored form at dst: the clen bytes at comp when smaller than the page, else the page
 * at src itself; and its size word at sizes[i] (length, STORED_RAW when raw). Returns the bytes written.
 */
// @ts-ignore: decorator
@inline export function putPage(dst: usize, sizes: usize, i: u32, src: usize, ps: usize, comp: usize, clen: usize): usize {
  if (clen < ps) {
    memory.copy(dst, comp, clen);
    store<u32>(sizes + (<usize>i << 2), <u32>clen);
    return clen;
  }
  memory.copy(dst, src, ps);
  store<u32>(sizes + (<usize>i << 2), <u32>ps | STORED_RAW);
  return ps;
}

/**
 * putPage when `room` bytes are left: a page that does not fit writes nothing, gets size 0, as do the
 * pages after it (up to `pages`), and 0 is returned (the batch stops there).
 */
// @ts-ignore: decorator
@inline export function appendPage(dst: usize, room: usize, sizes: usize, i: u32, pages: u32, src: usize, ps: usize, comp: usize, clen: usize): usize {
  if ((clen < ps ? clen : ps) > room) {
    memory.fill(sizes + (<usize>i << 2), 0, <usize>(pages - i) << 2);
    return 0;
  }
  return putPage(dst, sizes, i, src, ps, comp, clen);
}

// ---- Page-sized LZ parsers (LZO1X-1, snappy): a small table of 16-bit positions ----
//
// One table in static memory (a constant address), shared by the parsers that use it: each call
// starts by clearing it (pageTableBase with i == 0). Entries are positions minus a base just before
// the page that last cleared the table; entries below the current page start (older pages, or empty:
// base + 0) are ignored, so the table is cleared again only when positions no longer fit 16 bits
// (every 15 pages of 4 KiB). Every entry is a position already passed in this call (or base), so a
// candidate's bytes can be read before knowing whether it is in the current page. (In a page over
// 64 KiB positions wrap modulo 2^16: a candidate is still an earlier position, checked the same way;
// the parsers check the distance there.)

export const PAGE_HASH_BITS: u32 = 13;
export const PAGE_TABLE_BYTES: usize = 2 << PAGE_HASH_BITS;
export const PAGE_TABLE: usize = memory.data(<i32>PAGE_TABLE_BYTES, 16);

/** Byte offset in PAGE_TABLE of the 4 bytes `v`. */
// @ts-ignore: decorator
@inline export function pageHashOffset(v: u32): usize {
  return <usize>((v * 0x1e35a7bd) >> (32 - PAGE_HASH_BITS)) << 1;
}

/**
 * The base for page i at src (pageSize ps), given the previous page's base: clears PAGE_TABLE and
 * moves the base just before src for the first page of a call and when the page's hashed positions
 * (up to src + ps - 4) would not fit 16 bits above the base.
 */
// @ts-ignore: decorator
@inline export function pageTableBase(i: u32, src: usize, ps: usize, base: usize): usize {
  if (i == 0 || src + ps - 4 - base > 0xffff) {
    memory.fill(PAGE_TABLE, 0, PAGE_TABLE_BYTES);
    base = src - 1; // entry 0 is then never a candidate
  }
  return base;
}

/**
 * The candidate at cand (from PAGE_TABLE) matches the 4 bytes seq at ip: in the page (cand >= src)
 * and equal, in one branch-free test. Reads 4 bytes at cand, which is always inside the call's input.
 */
// @ts-ignore: decorator
@inline export function pageCandidateHit(cand: usize, src: usize, seq: u32): bool {
  return (<u32>(cand >= src) & <u32>(load<u32>(cand) == seq)) != 0;
}

/** After a match that ends at ip: hashes the position two bytes back into the page table, for the next search. */
// @ts-ignore: decorator
@inline export function indexInsideMatch(ip: usize, hashLimit: usize, base: usize): void {
  if (ip <= hashLimit) {
    const p = ip - 2;
    store<u16>(PAGE_TABLE + pageHashOffset(load<u32>(p)), <u16>(p - base));
  }
}

/** The candidate findPageMatch found (a second return value, kept out of the heap). */
export let pageMatch: usize = 0;

/**
 * From ip, probes the page hash table for a match (one branch per probe, skipping faster through incompressible
 * runs); returns where the match starts, its earlier copy in pageMatch, or a value past hashLimit when there is none.
 * Tables hold 16-bit offsets, so in pages above 64 KiB (`big`) a hit must also lie within maxOffset.
 */
// @ts-ignore: decorator
@inline export function findPageMatch(ip: usize, hashLimit: usize, anchor: usize, src: usize, base: usize, big: bool, maxOffset: usize): usize {
  let cand: usize;
  do {
    const seq = load<u32>(ip);
    const slot = PAGE_TABLE + pageHashOffset(seq);
    cand = base + <usize>load<u16>(slot);
    store<u16>(slot, <u16>(ip - base));
    if (big) {
      if (<u32>pageCandidateHit(cand, src, seq) & <u32>(ip - cand <= maxOffset)) break;
    } else {
      if (pageCandidateHit(cand, src, seq)) break;
    }
    ip += 1 + ((ip - anchor) >> 5);
  } while (ip <= hashLimit);
  pageMatch = cand;
  return ip;
}

/** Length of the match at ip (earlier copy at cand, first 4 bytes equal), not reading at or past end. */
// @ts-ignore: decorator
@inline export function forwardLength(ip: usize, cand: usize, end: usize): usize {
  let len: usize = 4;
  // most matches end within the first 8 bytes; long ones continue 16 bytes at a time
  if (ip + 12 <= end) {
    const x = load<u64>(cand + 4) ^ load<u64>(ip + 4);
    if (x != 0) return 4 + <usize>(ctz(x) >> 3);
    len = 12;
    while (ip + len + 16 <= end) {
      const ne = ~i8x16.bitmask(i8x16.eq(v128.load(cand + len), v128.load(ip + len))) & 0xffff;
      if (ne != 0) return len + <usize>ctz(ne);
      len += 16;
    }
  }
  while (true) {
    if (ip + len + 8 > end) {
      while (ip + len < end && load<u8>(cand + len) == load<u8>(ip + len)) len++;
      return len;
    }
    const x = load<u64>(cand + len) ^ load<u64>(ip + len);
    if (x != 0) return len + <usize>(ctz(x) >> 3);
    len += 8;
  }
}

/**
 * How far a match at ip (copy at cand) extends backwards over the pending literals since anchor, up
 * to 8 bytes, without branches and not before the page start src. Reads the 8 bytes before ip and
 * cand, which may lie before the page (inside linear memory; masked off by the clamps).
 */
// @ts-ignore: decorator
@inline export function backwardLength8(ip: usize, cand: usize, anchor: usize, src: usize): usize {
  let back = <usize>(clz(load<u64>(ip - 8) ^ load<u64>(cand - 8)) >> 3);
  back = min(back, ip - anchor);
  return min(back, cand - src);
}

/** backwardLength8 for at most one byte. */
// @ts-ignore: decorator
@inline export function backwardLength1(ip: usize, cand: usize, anchor: usize, src: usize): usize {
  return <usize>(<u32>(ip > anchor) & <u32>(cand > src) & <u32>(load<u8>(ip - 1) == load<u8>(cand - 1)));
}

/**
 * Copies n bytes, reading only [src, src + n) and writing only [dst, dst + n). No memory.copy: a call
 * in a parser's loop makes the engine keep the loop's variables on the stack.
 */
// @ts-ignore: decorator
@inline export function copyRun(dst: usize, src: usize, n: usize): void {
  if (n >= 16) {
    let i: usize = 0;
    do {
      v128.store(dst + i, v128.load(src + i));
      i += 16;
    } while (i + 16 <= n);
    v128.store(dst + n - 16, v128.load(src + n - 16));
  } else {
    for (let i: usize = 0; i < n; i++) store<u8>(dst + i, load<u8>(src + i));
  }
}

/**
 * appendPage for a parser that wrote its stream (clen bytes; clen >= ps: not smaller than the page)
 * either straight into the output at dst (`direct`, chosen when room covers its worst case) or into
 * scratch at comp. Returns the bytes written, 0 when the page does not fit (the batch stops there).
 */
// @ts-ignore: decorator
@inline export function appendParsedPage(
  dst: usize, room: usize, direct: bool, sizes: usize, i: u32, pages: u32, src: usize, ps: usize, comp: usize, clen: usize,
): usize {
  if (direct && clen < ps) {
    store<u32>(sizes + (<usize>i << 2), <u32>clen);
    return clen;
  }
  return appendPage(dst, room, sizes, i, pages, src, ps, comp, clen);
}
