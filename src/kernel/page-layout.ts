import type { DumpWarning } from '../api-types.js';
import type { VmcoreInfo } from '../model/vmcoreinfo.js';

/**
 * Everything the struct page classifier needs, resolved from VMCOREINFO the way makedumpfile 1.7.9
 * resolves it (read_vmcoreinfo → get_value_for_old_linux → init_compound_offset → setup_page_is_buddy),
 * including its fallbacks for missing keys, so that our classes match its counts on the same input.
 * Every fallback that can make a dump level bit lose its meaning produces a warning.
 */

/** Dump level bits (makedumpfile's DL_EXCLUDE_*). */
export const DL_ZERO = 1;
export const DL_CACHE = 2;
export const DL_CACHE_PRI = 4;
export const DL_USER = 8;
export const DL_FREE = 16;
/** Not a level bit: pages makedumpfile excludes at every level (hwpoison, offline). */
export const ALWAYS = 32;

/** How the order and hugetlb-ness of a compound page are found in page[1] (the first tail). */
export const enum CompoundMode {
  /** No way to know: every compound page is treated as order 0 and not hugetlb. */
  None = 0,
  /** Linux 6.9+: order = low byte of page[1].flags (folio._flags_1), hugetlb iff head _mapcount == PAGE_HUGETLB_MAPCOUNT_VALUE. */
  HugetlbMapcount = 1,
  /** Linux 6.6–6.8: order = low byte of page[1].flags, hugetlb iff page[1].flags has bit PG_hugetlb. */
  PgHugetlb = 2,
  /** Before 6.6: order and destructor id stored in page[1] at fixed offsets. */
  Offsets = 3,
}

export const enum BuddyMode {
  /** makedumpfile would walk the zone free lists instead; we cannot: free pages are kept. */
  None = 0,
  /** 2.6.17–2.6.37: PG_buddy flag. */
  PgBuddy = 2,
  /** 2.6.38+: _mapcount == PAGE_BUDDY_MAPCOUNT_VALUE and not slab. */
  Mapcount = 3,
}

/** Sentinel stored for an absent _mapcount value: it can never equal a 32-bit _mapcount. */
export const NO_MAPCOUNT = 1n << 40n;

export interface PageLayout {
  /** False when struct page cannot be read at all (no SIZE(page), OFFSET(page.flags) or OFFSET(page.mapping)). */
  enabled: boolean;
  kernelVersion: number;
  osRelease: string | undefined;
  structPageSize: number;
  offFlags: number;
  offMapping: number;
  /** -1 when absent (makedumpfile then reads _mapcount as 0). */
  offMapcount: number;
  offPrivate: number;
  /** page.compound_head, or page.compound_info on 7.1+; -1 when absent. */
  offCompoundHead: number;
  headMask: bigint;
  pgLru: number;
  pgPrivate: number;
  pgSwapcache: number;
  /** -1 when the kernel has no PG_swapbacked (before 4.10): swap cache then counts as cache by itself. */
  pgSwapbacked: number;
  pgSlab: number;
  /** -1 when absent: hwpoison pages are then kept. */
  pgHwpoison: number;
  pgBuddy: number;
  pgHugetlb: number;
  buddyMode: BuddyMode;
  /** Each a 32-bit value as unsigned, or NO_MAPCOUNT. */
  buddyMapcount: bigint;
  offlineMapcount: bigint;
  slabMapcount: bigint;
  hugetlbMapcount: bigint;
  unacceptedMapcount: bigint;
  compoundMode: CompoundMode;
  /** Offsets inside page[1]; 0 means "not available" (as in makedumpfile). */
  orderOffset: number;
  orderWidth: number;
  dtorOffset: number;
  dtorWidth: number;
  hugetlbDtor: bigint | undefined;
  freeHugePage: bigint | undefined;
  /** LENGTH(zone.free_area) (= MAX_ORDER+1 / NR_PAGE_ORDERS), -1 when absent. */
  freeAreaLength: number;
  /** makedumpfile reads struct pages in runs of this many and never treats the last of a run as a compound head. */
  pgmmCached: number;
}

export interface LayoutWarning extends DumpWarning {
  /** The VMCOREINFO keys whose absence (or value) caused it. */
  keys: string[];
  /** Dump level bits (DL_*, or ALWAYS) that can no longer be honoured exactly. */
  lostBits: number;
  severity: 'warning' | 'info';
}

export interface PageLayoutResult {
  layout: PageLayout;
  warnings: LayoutWarning[];
}

export function kernelVersionCode(major: number, minor: number, patch: number): number {
  return major * 65536 + minor * 256 + patch;
}

/** makedumpfile's get_kernel_version: three numbers separated by any one character each. */
export function parseKernelVersion(release: string | undefined): number {
  if (!release) return 0;
  const m = /^(\d+)\D(\d+)\D(\d+)/.exec(release) ?? /^(\d+)\D(\d+)/.exec(release);
  if (!m) return 0;
  return kernelVersionCode(Number(m[1]), Number(m[2]), Number(m[3] ?? 0));
}

/**
 * Newest kernel series whose page rules are known here: makedumpfile 1.7.9++ knows 7.0 and the 7.1 compound_info
 * rename; real kdumps of Debian's 7.2.13 and 7.3-rc7 (same VMCOREINFO but for sizes) match its counts at every level.
 */
const LATEST_KNOWN_SERIES = { major: 7, minor: 3 } as const;
const FIRST_UNKNOWN_KERNEL = kernelVersionCode(LATEST_KNOWN_SERIES.major, LATEST_KNOWN_SERIES.minor + 1, 0);

function bitNames(bits: number): string {
  const names: string[] = [];
  if (bits & DL_CACHE) names.push('2 (non-private cache)');
  if (bits & DL_CACHE_PRI) names.push('4 (private cache)');
  if (bits & DL_USER) names.push('8 (user data)');
  if (bits & DL_FREE) names.push('16 (free pages)');
  if (bits & ALWAYS) names.push('the always-excluded hwpoison/offline pages');
  return names.join(', ');
}

function asU32(v: bigint): bigint {
  return BigInt.asUintN(32, v);
}

/** Resolves the struct page table from VMCOREINFO, with makedumpfile's fallbacks and a warning for each lost guarantee. */
export function pageLayoutFromVmcoreinfo(info: VmcoreInfo): PageLayoutResult {
  const warnings: LayoutWarning[] = [];
  const warn = (code: string, keys: string[], lostBits: number, message: string, severity: 'warning' | 'info' = 'warning') => {
    const suffix = lostBits ? ` Level bit${lostBits & (lostBits - 1) ? 's' : ''} affected: ${bitNames(lostBits)}.` : '';
    warnings.push({ code, keys, lostBits, severity, message: message + suffix });
  };
  const num = (name: string): bigint | undefined => info.number(name);

  const osRelease = info.get('OSRELEASE');
  const kernelVersion = parseKernelVersion(osRelease);
  if (kernelVersion >= FIRST_UNKNOWN_KERNEL)
    warn(
      'W_KERNEL_TOO_NEW',
      ['OSRELEASE'],
      0,
      `Kernel ${osRelease} is newer than the page rules vmsieve knows (up to ${LATEST_KNOWN_SERIES.major}.${LATEST_KNOWN_SERIES.minor}): pages may be kept or excluded wrongly if struct page changed.`,
    );
  if (kernelVersion === 0)
    warn('W_NO_OSRELEASE', ['OSRELEASE'], 0, 'VMCOREINFO has no readable OSRELEASE: version-dependent page rules (compound order width, old-kernel defaults) fall back to the newest.', 'info');

  const structPageSize = info.size('page');
  const offFlags = info.offset('page.flags');
  const offMapping = info.offset('page.mapping');
  let enabled = true;
  for (const [v, key] of [
    [structPageSize, 'SIZE(page)'],
    [offFlags, 'OFFSET(page.flags)'],
    [offMapping, 'OFFSET(page.mapping)'],
  ] as const) {
    if (v === undefined) {
      enabled = false;
      warn('W_NO_STRUCT_PAGE', [key], DL_CACHE | DL_CACHE_PRI | DL_USER | DL_FREE | ALWAYS,
        `VMCOREINFO lacks ${key}: struct page cannot be read, so no page can be classified; only zero pages can be excluded and every other page is kept.`);
    }
  }

  const offMapcount = info.offset('page._mapcount') ?? -1;
  const offPrivate = info.offset('page.private') ?? -1;
  const offCompoundHead = info.offset('page.compound_head') ?? info.offset('page.compound_info') ?? -1;
  if (offCompoundHead < 0)
    warn('W_NO_COMPOUND_HEAD', ['OFFSET(page.compound_head)', 'OFFSET(page.compound_info)'], DL_CACHE | DL_CACHE_PRI | DL_USER,
      'VMCOREINFO lacks OFFSET(page.compound_head) (page.compound_info on 7.1+): tail pages of compound pages (THP, hugetlb, large folios) cannot be recognised and are classified on their own.');

  // get_value_for_old_linux(): makedumpfile substitutes 2.6-era values for missing flag numbers.
  let pgLru = Number(num('PG_lru') ?? -1n);
  if (pgLru < 0) {
    pgLru = 5;
    warn('W_NO_PG_LRU', ['NUMBER(PG_lru)'], DL_CACHE | DL_CACHE_PRI,
      'VMCOREINFO lacks NUMBER(PG_lru): makedumpfile assumes bit 5 (2.6-era kernels); page cache may be misdetected.');
  }
  let pgPrivate = Number(num('PG_private') ?? -1n);
  if (pgPrivate < 0) {
    pgPrivate = 11;
    warn('W_NO_PG_PRIVATE', ['NUMBER(PG_private)'], DL_CACHE | DL_CACHE_PRI,
      'VMCOREINFO lacks NUMBER(PG_private): makedumpfile assumes bit 11 (2.6-era kernels); private and non-private cache may be confused.');
  }
  let pgSwapcache = Number(num('PG_swapcache') ?? -1n);
  if (pgSwapcache < 0) {
    pgSwapcache = 15;
    warn('W_NO_PG_SWAPCACHE', ['NUMBER(PG_swapcache)'], DL_CACHE | DL_CACHE_PRI,
      'VMCOREINFO lacks NUMBER(PG_swapcache): makedumpfile assumes bit 15 (2.6-era kernels); swap cache may be misdetected.');
  }
  let pgSwapbacked = Number(num('PG_swapbacked') ?? -1n);
  if (pgSwapbacked < 0) {
    if (pgSwapcache < pgPrivate) pgSwapbacked = pgPrivate + 6;
    if (kernelVersion >= kernelVersionCode(4, 10, 0))
      warn('W_NO_PG_SWAPBACKED', ['NUMBER(PG_swapbacked)'], DL_CACHE | DL_CACHE_PRI,
        pgSwapbacked >= 0
          ? `VMCOREINFO lacks NUMBER(PG_swapbacked) on a 4.10+ kernel: makedumpfile guesses bit ${pgSwapbacked} (PG_private + 6), so swap cache may be misdetected.`
          : 'VMCOREINFO lacks NUMBER(PG_swapbacked) on a 4.10+ kernel: every PG_swapcache page is taken as page cache.');
  }

  const slabMapcountRaw = num('PAGE_SLAB_MAPCOUNT_VALUE');
  let pgSlab = Number(num('PG_slab') ?? -1n);
  if (pgSlab < 0) {
    pgSlab = 7;
    if (slabMapcountRaw === undefined)
      warn('W_NO_SLAB', ['NUMBER(PG_slab)', 'NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)'], DL_USER | DL_FREE | ALWAYS,
        'VMCOREINFO has neither NUMBER(PG_slab) nor NUMBER(PAGE_SLAB_MAPCOUNT_VALUE): slab pages cannot be recognised (makedumpfile assumes flag bit 7), so slab pages may be excluded as user, free or offline pages.');
    else
      warn('W_PG_SLAB_ASSUMED', ['NUMBER(PG_slab)'], 0,
        'VMCOREINFO has no NUMBER(PG_slab) (normal on 6.10+, which marks slab with a page type): like makedumpfile, flag bit 7 is still taken as PG_slab, so pages with that bit set are never excluded as user, free or offline.',
        'info');
  }
  const pgHwpoisonRaw = num('PG_hwpoison');
  const pgHwpoison = pgHwpoisonRaw === undefined ? -1 : Number(pgHwpoisonRaw);
  if (pgHwpoison < 0)
    warn('W_NO_PG_HWPOISON', ['NUMBER(PG_hwpoison)'], ALWAYS,
      'VMCOREINFO lacks NUMBER(PG_hwpoison): hardware-poisoned pages cannot be recognised and are kept (makedumpfile excludes them at every level when it knows the bit).');

  let headMask = num('PG_head_mask');
  if (headMask === undefined) {
    headMask = 1n << 14n;
    warn('W_NO_PG_HEAD_MASK', ['NUMBER(PG_head_mask)'], DL_CACHE | DL_CACHE_PRI | DL_USER,
      'VMCOREINFO lacks NUMBER(PG_head_mask): makedumpfile assumes bit 14 (PG_compound of 2.6-era kernels); compound heads are misdetected, so tails of excluded large pages may be kept.');
  }

  // Buddy: setup_page_is_buddy() after get_value_for_old_linux()'s default of PAGE_BUDDY_MAPCOUNT_VALUE.
  let buddyRaw = num('PAGE_BUDDY_MAPCOUNT_VALUE');
  if (buddyRaw === undefined) {
    if (kernelVersion === kernelVersionCode(2, 6, 38)) buddyRaw = -2n;
    else if (kernelVersion >= kernelVersionCode(2, 6, 39)) buddyRaw = -128n;
    warn('W_NO_BUDDY_MAPCOUNT', ['NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)'], DL_FREE,
      `VMCOREINFO lacks NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE): free pages (bit 16) cannot be excluded reliably${buddyRaw !== undefined ? ` (makedumpfile assumes ${buddyRaw}, the value of 2.6.39–4.x kernels; on newer kernels no free page matches and all are kept)` : ''}.`);
  }
  const pgBuddy = Number(num('PG_buddy') ?? -1n);
  let buddyMode = BuddyMode.None;
  if (offPrivate >= 0) {
    if (buddyRaw !== undefined) {
      if (offMapcount >= 0) buddyMode = BuddyMode.Mapcount;
    } else if (pgBuddy >= 0) buddyMode = BuddyMode.PgBuddy;
  }
  if (buddyMode === BuddyMode.None) {
    const missing = [offPrivate < 0 ? 'OFFSET(page.private)' : '', offMapcount < 0 ? 'OFFSET(page._mapcount)' : ''].filter(Boolean);
    if (missing.length)
      warn('W_NO_BUDDY', missing, DL_FREE,
        `VMCOREINFO lacks ${missing.join(' and ')}: free (buddy) pages cannot be recognised in mem_map (makedumpfile would walk the zone free lists instead, which vmsieve does not do), so free pages are kept.`);
  }
  if (offMapcount < 0)
    warn('W_NO_MAPCOUNT', ['OFFSET(page._mapcount)'], ALWAYS | DL_USER,
      'VMCOREINFO lacks OFFSET(page._mapcount): offline pages, slab page types and hugetlb page types cannot be recognised (_mapcount reads as 0).');

  const offlineRaw = num('PAGE_OFFLINE_MAPCOUNT_VALUE');
  if (offlineRaw === undefined && kernelVersion >= kernelVersionCode(5, 0, 0))
    warn('W_NO_OFFLINE_MAPCOUNT', ['NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)'], ALWAYS,
      'VMCOREINFO lacks NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE): logically offline pages (balloon, virtio-mem, Hyper-V) cannot be recognised and are kept.');

  const hugetlbMapcountRaw = num('PAGE_HUGETLB_MAPCOUNT_VALUE');
  const unacceptedRaw = num('PAGE_UNACCEPTED_MAPCOUNT_VALUE');
  const pgHugetlb = Number(num('PG_hugetlb') ?? -1n);

  // init_compound_offset()
  const folioOrder = info.offset('folio._folio_order');
  const folioDtor = info.offset('folio._folio_dtor');
  const pageOrder = info.offset('page.compound_order');
  const pageDtor = info.offset('page.compound_dtor');
  const lru = info.offset('page.lru');
  const lhPrev = info.offset('list_head.prev');
  const lhNext = info.offset('list_head.next');
  const old = kernelVersion < kernelVersionCode(4, 4, 0);
  const sp = structPageSize ?? 0;
  let orderOffset = 0;
  if (folioOrder !== undefined) orderOffset = folioOrder - sp;
  else if (pageOrder !== undefined) orderOffset = pageOrder;
  else if (old && lru !== undefined && lhPrev !== undefined) orderOffset = lru + lhPrev;
  let dtorOffset = 0;
  if (folioDtor !== undefined) dtorOffset = folioDtor - sp;
  else if (pageDtor !== undefined) dtorOffset = pageDtor;
  else if (old && lru !== undefined && lhNext !== undefined) dtorOffset = lru + lhNext;
  const v416 = kernelVersion >= kernelVersionCode(4, 16, 0);
  const orderWidth = v416 ? 1 : 2;
  const dtorWidth = v416 ? 1 : kernelVersion >= kernelVersionCode(4, 4, 0) ? 2 : 8;

  let compoundMode = CompoundMode.None;
  if (hugetlbMapcountRaw !== undefined) compoundMode = CompoundMode.HugetlbMapcount;
  else if (pgHugetlb >= 0) compoundMode = CompoundMode.PgHugetlb;
  else if (orderOffset || dtorOffset) compoundMode = CompoundMode.Offsets;

  const hugetlbDtor = num('HUGETLB_PAGE_DTOR');
  const freeHugePage = info.symbol('free_huge_page');
  if (compoundMode === CompoundMode.None)
    warn('W_NO_COMPOUND_ORDER', ['NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)', 'NUMBER(PG_hugetlb)', 'OFFSET(folio._folio_order)', 'OFFSET(page.compound_order)'], DL_CACHE | DL_CACHE_PRI | DL_USER,
      'VMCOREINFO gives no way to read the order of compound pages (none of NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE), NUMBER(PG_hugetlb), OFFSET(folio._folio_order), OFFSET(page.compound_order)): an excluded large page loses only its head; its tail pages are kept, and hugetlb pages are not recognised as user data.');
  else if (compoundMode === CompoundMode.Offsets && hugetlbDtor === undefined && freeHugePage === undefined)
    warn('W_NO_HUGETLB', ['NUMBER(HUGETLB_PAGE_DTOR)'], DL_USER,
      'VMCOREINFO lacks NUMBER(HUGETLB_PAGE_DTOR): hugetlbfs pages cannot be recognised and are not excluded as user data (bit 8).');
  else if (compoundMode === CompoundMode.Offsets && dtorOffset === 0)
    warn('W_NO_HUGETLB', ['OFFSET(page.compound_dtor)', 'OFFSET(folio._folio_dtor)'], DL_USER,
      'VMCOREINFO lacks the compound destructor offset (OFFSET(page.compound_dtor), or OFFSET(folio._folio_dtor) on 6.3–6.5): hugetlbfs pages cannot be recognised and are not excluded as user data (bit 8).');

  const freeAreaLength = info.length('zone.free_area') ?? -1;
  if (freeAreaLength < 0)
    warn('W_NO_FREE_AREA_LENGTH', ['LENGTH(zone.free_area)'], unacceptedRaw !== undefined ? DL_FREE : 0,
      'VMCOREINFO lacks LENGTH(zone.free_area): buddy orders are not range-checked' + (unacceptedRaw !== undefined ? ' and unaccepted memory blocks cannot be sized (each is taken as one page).' : '.'), unacceptedRaw !== undefined ? 'warning' : 'info');

  const mc = (v: bigint | undefined) => (v === undefined ? NO_MAPCOUNT : asU32(v));
  const layout: PageLayout = {
    enabled,
    kernelVersion,
    osRelease,
    structPageSize: structPageSize ?? 0,
    offFlags: offFlags ?? 0,
    offMapping: offMapping ?? 0,
    offMapcount,
    offPrivate,
    offCompoundHead,
    headMask: BigInt.asUintN(64, headMask),
    pgLru,
    pgPrivate,
    pgSwapcache,
    pgSwapbacked,
    pgSlab,
    pgHwpoison,
    pgBuddy,
    pgHugetlb,
    buddyMode,
    buddyMapcount: buddyMode === BuddyMode.Mapcount ? mc(buddyRaw) : NO_MAPCOUNT,
    offlineMapcount: mc(offlineRaw),
    slabMapcount: mc(slabMapcountRaw),
    hugetlbMapcount: mc(hugetlbMapcountRaw),
    unacceptedMapcount: mc(unacceptedRaw),
    compoundMode,
    orderOffset,
    orderWidth,
    dtorOffset,
    dtorWidth,
    hugetlbDtor: hugetlbDtor === undefined ? undefined : BigInt.asUintN(64, hugetlbDtor),
    freeHugePage,
    freeAreaLength,
    pgmmCached: 512,
  };
  return { layout, warnings };
}

/** Slots of the table the wasm classifier reads (one i64 each); keep in sync with assembly/classify.ts. */
export const TABLE_SLOTS = 40;

/** sizeof(struct page), as encodePageLayoutTable() put it in slot 1. */
export const tableStructSize = (table: BigInt64Array): number => Number(table[1]);

/** Serialises the layout into the i64 table assembly/classify.ts reads. */
export function encodePageLayoutTable(l: PageLayout): BigInt64Array {
  const t = new BigInt64Array(TABLE_SLOTS);
  const s = (i: number, v: bigint | number) => {
    t[i] = BigInt.asIntN(64, BigInt(v));
  };
  s(0, l.enabled ? 1 : 0);
  s(1, l.structPageSize);
  s(2, l.offFlags);
  s(3, l.offMapping);
  s(4, l.offMapcount);
  s(5, l.offPrivate);
  s(6, l.offCompoundHead);
  s(7, l.headMask);
  s(8, l.pgLru);
  s(9, l.pgPrivate);
  s(10, l.pgSwapcache);
  s(11, l.pgSwapbacked);
  s(12, l.pgSlab);
  s(13, l.pgHwpoison);
  s(14, l.pgBuddy);
  s(15, l.pgHugetlb);
  s(16, l.buddyMode);
  s(17, l.buddyMapcount);
  s(18, l.offlineMapcount);
  s(19, l.slabMapcount);
  s(20, l.hugetlbMapcount);
  s(21, l.unacceptedMapcount);
  s(22, l.compoundMode);
  s(23, l.orderOffset);
  s(24, l.orderWidth);
  s(25, l.dtorOffset);
  s(26, l.dtorWidth);
  s(27, l.hugetlbDtor === undefined ? 0 : 1);
  s(28, l.hugetlbDtor ?? 0n);
  s(29, l.freeHugePage === undefined ? 0 : 1);
  s(30, l.freeHugePage ?? 0n);
  s(31, l.freeAreaLength);
  s(32, l.pgmmCached);
  return t;
}
