// Struct page classifier: makedumpfile 1.7.9's __exclude_unnecessary_pages predicates, evaluated once
// for all dump levels. For each pfn it writes one code byte (see src/filter/class-codes.ts for decoding):
//
//   0..53    visited page, own predicates:  f*18 + r   (f: 0 none, 1 free, 2 free-with-invalid-order)
//   54..71   inside a free (buddy / unaccepted) block of an earlier head: 54 + r (own r, used when bit 16 is off)
//   72..89   compound tail (or covered by a compound range): 72 + r of the head
//   90..107  compound tail inside a free block: 90 + r of the head
//   127      not visited (outside every PT_LOAD's file data) and not covered by any range
//
//   r = k*6 + u*3 + a   k: 0 not cache, 1 non-private cache, 2 private cache (is_cache_page and not anon)
//                       u: 1 if anon or hugetlb (user data)
//                       a: 0 none, 1 hwpoison, 2 offline (the always-excluded classes, hwpoison first)
//
// The caller pre-fills out[i] with 0 (visit this pfn) or 0xff (pfn not in any PT_LOAD: skip it, as is_in_segs does).
// Ranges (buddy blocks, compound pages) that run past the batch are kept in the state block and carried on.

// table slots (i64 each) — keep in sync with src/kernel/page-layout.ts encodePageLayoutTable()
const T_ENABLED = 0;
const T_SIZE = 1;
const T_OFF_FLAGS = 2;
const T_OFF_MAPPING = 3;
const T_OFF_MAPCOUNT = 4;
const T_OFF_PRIVATE = 5;
const T_OFF_COMPOUND_HEAD = 6;
const T_HEAD_MASK = 7;
const T_PG_LRU = 8;
const T_PG_PRIVATE = 9;
const T_PG_SWAPCACHE = 10;
const T_PG_SWAPBACKED = 11;
const T_PG_SLAB = 12;
const T_PG_HWPOISON = 13;
const T_PG_BUDDY = 14;
const T_PG_HUGETLB = 15;
const T_BUDDY_MODE = 16;
const T_BUDDY_MC = 17;
const T_OFFLINE_MC = 18;
const T_SLAB_MC = 19;
const T_HUGETLB_MC = 20;
const T_UNACCEPTED_MC = 21;
const T_COMPOUND_MODE = 22;
const T_ORDER_OFF = 23;
const T_ORDER_WIDTH = 24;
const T_DTOR_OFF = 25;
const T_DTOR_WIDTH = 26;
const T_HUGETLB_DTOR_PRESENT = 27;
const T_HUGETLB_DTOR = 28;
const T_FREE_HUGE_PAGE_PRESENT = 29;
const T_FREE_HUGE_PAGE = 30;
const T_FREE_AREA_LENGTH = 31;
const T_PGMM_CACHED = 32;
const T_BIG_ENDIAN = 33;

// state slots (i64 each)
const S_FREE_END = 0; // first pfn after the current free block
const S_COMP_END = 1; // first pfn after the current compound range
const S_COMP_R = 2; // r of that compound head
const S_ANOMALIES = 3; // non-tail pages found inside a compound range whose head can be excluded
const S_BAD_BUDDY = 4; // free pages whose order is >= LENGTH(zone.free_area) (makedumpfile warns and keeps them)
const S_BAD_BUDDY_PFN = 5; // first such pfn, -1 if none
const S_VISITED = 6;

const IS_HUGETLB: u64 = 0xffffffffffffffff;

@inline function tbl(t: usize, slot: i32): i64 {
  return load<i64>(t + (<usize>slot << 3));
}

// makedumpfile's test_bit(): an int mask 1 << (nr & 31), sign-extended when widened.
@inline function testBit(nr: i64, flags: u64): bool {
  const mask = <i64>(<i32>1 << <i32>(nr & 31));
  return (<u64>mask & flags) != 0;
}

// struct page fields in the dump's byte order. `be` is a constant in each inlined copy of classifyRun, so the
// little-endian copy's loads stay plain loads.
@inline function ld64(p: usize, be: bool): u64 {
  const v = load<u64>(p);
  return be ? bswap<u64>(v) : v;
}

@inline function ld32(p: usize, be: bool): u32 {
  const v = load<u32>(p);
  return be ? bswap<u32>(v) : v;
}

@inline function ld16(p: usize, be: bool): u16 {
  const v = load<u16>(p);
  return be ? bswap<u16>(v) : v;
}

@inline function readWidth(p: usize, width: i64, be: bool): u64 {
  if (width == 1) return <u64>load<u8>(p);
  if (width == 2) return <u64>ld16(p, be);
  return ld64(p, be);
}

export function classifyPages(table: usize, recs: usize, nrecs: u32, count: u32, pfnStart: f64, out: usize, state: usize): void {
  if (tbl(table, T_BIG_ENDIAN) != 0) classifyRun(table, recs, nrecs, count, pfnStart, out, state, true);
  else classifyRun(table, recs, nrecs, count, pfnStart, out, state, false);
}

@inline function classifyRun(table: usize, recs: usize, nrecs: u32, count: u32, pfnStart: f64, out: usize, state: usize, be: bool): void {
  const pfn0 = <u64>pfnStart;
  let freeEnd = <u64>load<i64>(state + (S_FREE_END << 3));
  let compEnd = <u64>load<i64>(state + (S_COMP_END << 3));
  let compR = <u32>load<i64>(state + (S_COMP_R << 3));
  let anomalies = load<i64>(state + (S_ANOMALIES << 3));
  let badBuddy = load<i64>(state + (S_BAD_BUDDY << 3));
  let badBuddyPfn = load<i64>(state + (S_BAD_BUDDY_PFN << 3));
  let visited = load<i64>(state + (S_VISITED << 3));

  const enabled = tbl(table, T_ENABLED) != 0;
  const size = <usize>tbl(table, T_SIZE);
  const offFlags = <usize>tbl(table, T_OFF_FLAGS);
  const offMapping = <usize>tbl(table, T_OFF_MAPPING);
  const offMapcount = tbl(table, T_OFF_MAPCOUNT);
  const offPrivate = tbl(table, T_OFF_PRIVATE);
  const offCompoundHead = tbl(table, T_OFF_COMPOUND_HEAD);
  const headMask = <u64>tbl(table, T_HEAD_MASK);
  const pgLru = tbl(table, T_PG_LRU);
  const pgPrivate = tbl(table, T_PG_PRIVATE);
  const pgSwapcache = tbl(table, T_PG_SWAPCACHE);
  const pgSwapbacked = tbl(table, T_PG_SWAPBACKED);
  const slabBit: u64 = <u64>1 << (<u64>tbl(table, T_PG_SLAB) & 63);
  const pgHwpoison = tbl(table, T_PG_HWPOISON);
  const buddyBit: u64 = <u64>1 << (<u64>tbl(table, T_PG_BUDDY) & 63);
  const hugetlbBit: u64 = <u64>1 << (<u64>tbl(table, T_PG_HUGETLB) & 63);
  const buddyMode = tbl(table, T_BUDDY_MODE);
  const buddyMc = <u64>tbl(table, T_BUDDY_MC);
  const offlineMc = <u64>tbl(table, T_OFFLINE_MC);
  const slabMc = <u64>tbl(table, T_SLAB_MC);
  const hugetlbMc = <u64>tbl(table, T_HUGETLB_MC);
  const unacceptedMc = <u64>tbl(table, T_UNACCEPTED_MC);
  const compoundMode = tbl(table, T_COMPOUND_MODE);
  const orderOff = <usize>tbl(table, T_ORDER_OFF);
  const orderWidth = tbl(table, T_ORDER_WIDTH);
  const dtorOff = <usize>tbl(table, T_DTOR_OFF);
  const dtorWidth = tbl(table, T_DTOR_WIDTH);
  const hugetlbDtorPresent = tbl(table, T_HUGETLB_DTOR_PRESENT) != 0;
  const hugetlbDtor = <u64>tbl(table, T_HUGETLB_DTOR);
  const freeHugePagePresent = tbl(table, T_FREE_HUGE_PAGE_PRESENT) != 0;
  const freeHugePage = <u64>tbl(table, T_FREE_HUGE_PAGE);
  const freeAreaLength = tbl(table, T_FREE_AREA_LENGTH);
  const pgmmMask = <u64>tbl(table, T_PGMM_CACHED) - 1;
  const unacceptedOrder: u64 = freeAreaLength > 0 ? <u64>(freeAreaLength - 1) : 0;

  for (let i: u32 = 0; i < count; i++) {
    const pfn = pfn0 + <u64>i;
    const o = out + <usize>i;
    const inFree = pfn < freeEnd;
    const inComp = pfn < compEnd;

    if (load<u8>(o) != 0 || !enabled || i >= nrecs) {
      // Not visited: only ranges started by earlier heads reach it (exclude_range ignores PT_LOAD bounds).
      let code: u32 = 127;
      if (inComp) code = (inFree ? 90 : 72) + compR;
      else if (inFree) code = 54;
      store<u8>(o, <u8>code);
      continue;
    }
    visited++;

    const rec = recs + <usize>i * size;
    const flags = ld64(rec + offFlags, be);
    const mapping = ld64(rec + offMapping, be);
    const mapcount: u64 = offMapcount >= 0 ? <u64>ld32(rec + <usize>offMapcount, be) : 0;
    const priv: u64 = offPrivate >= 0 ? ld64(rec + <usize>offPrivate, be) : 0;
    const chead: u64 = offCompoundHead >= 0 ? ld64(rec + <usize>offCompoundHead, be) : 0;

    // Compound order and destructor, read from page[1] as makedumpfile does.
    let order: u64 = 0;
    let dtor: u64 = 0;
    if ((pfn & pgmmMask) != pgmmMask && (flags & headMask) != 0 && i + 1 < nrecs) {
      const next = rec + size;
      if (compoundMode == 1) {
        order = ld64(next + offFlags, be) & 0xff;
        if (mapcount == hugetlbMc) dtor = IS_HUGETLB;
      } else if (compoundMode == 2) {
        const flags1 = ld64(next + offFlags, be);
        order = flags1 & 0xff;
        if ((flags1 & hugetlbBit) != 0) dtor = IS_HUGETLB;
      } else if (compoundMode == 3) {
        if (orderOff != 0) order = readWidth(next + orderOff, orderWidth, be);
        if (dtorOff != 0) dtor = readWidth(next + dtorOff, dtorWidth, be);
      }
      if (order >= 64 || (pfn & ((<u64>1 << order) - 1)) != 0) order = 0;
    }

    const isSlab = (slabMc == mapcount) || (flags & slabBit) != 0;
    const isAnon = (mapping & 1) != 0 && !isSlab;

    // f: free page (buddy or unaccepted)
    let f: u32 = 0;
    let freeOrder: u64 = 0;
    let buddy = false;
    if (buddyMode == 3) buddy = !isSlab && mapcount == buddyMc;
    else if (buddyMode == 2) buddy = (flags & buddyBit) != 0;
    if (buddy) {
      if (freeAreaLength >= 0 && priv >= <u64>freeAreaLength) {
        f = 2;
        badBuddy++;
        if (badBuddyPfn < 0) badBuddyPfn = <i64>pfn;
      } else {
        f = 1;
        freeOrder = priv < 40 ? priv : 40;
      }
    } else if (mapcount == unacceptedMc) {
      f = 1;
      freeOrder = unacceptedOrder;
    }

    // k: page cache that is not anonymous; private or not
    let k: u32 = 0;
    const isCache = testBit(pgLru, flags) || ((pgSwapbacked < 0 || testBit(pgSwapbacked, flags)) && testBit(pgSwapcache, flags));
    if (isCache && !isAnon) k = testBit(pgPrivate, flags) ? 2 : 1;

    // u: user data — anonymous or hugetlb
    const isHugetlb = dtor == IS_HUGETLB || (hugetlbDtorPresent && dtor == hugetlbDtor) || (freeHugePagePresent && dtor == freeHugePage);
    const u: u32 = isAnon || isHugetlb ? 1 : 0;

    // a: hwpoison, then logically offline
    let a: u32 = 0;
    if (pgHwpoison >= 0 && testBit(pgHwpoison, flags)) a = 1;
    else if (!isSlab && mapcount == offlineMc) a = 2;

    const r = k * 6 + u * 3 + a;

    if ((chead & 1) != 0) {
      // A tail: never classified on its own; it shares the fate of the head whose range covers it.
      const rr = inComp ? compR : 0;
      store<u8>(o, <u8>((inFree ? 90 : 72) + rr));
      continue;
    }
    if (inComp && compR != 0) {
      // Not a tail, yet inside an excludable compound page: makedumpfile excludes it with the head and
      // only looks at it on levels where the head is kept. We follow the head (counted as an anomaly).
      anomalies++;
      store<u8>(o, <u8>((inFree ? 90 : 72) + compR));
      continue;
    }
    store<u8>(o, <u8>(inFree ? 54 + r : f * 18 + r));

    if (f == 1 && !inFree && freeOrder > 0) freeEnd = pfn + (<u64>1 << freeOrder);
    if (order > 0) {
      compEnd = pfn + (<u64>1 << order);
      compR = r;
    }
  }

  store<i64>(state + (S_FREE_END << 3), <i64>freeEnd);
  store<i64>(state + (S_COMP_END << 3), <i64>compEnd);
  store<i64>(state + (S_COMP_R << 3), <i64>compR);
  store<i64>(state + (S_ANOMALIES << 3), anomalies);
  store<i64>(state + (S_BAD_BUDDY << 3), badBuddy);
  store<i64>(state + (S_BAD_BUDDY_PFN << 3), badBuddyPfn);
  store<i64>(state + (S_VISITED << 3), visited);
}
