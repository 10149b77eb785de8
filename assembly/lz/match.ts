// Pieces shared by the greedy single-probe LZ parsers (LZO1X-1, snappy, zstd) and, where the logic is
// the same, by the zlib encoder: hashing, match extension, the skip heuristic, literal copies and the
// stored form of a page (compressed, or raw with bit 31 of its size word set).
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
