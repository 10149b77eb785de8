import { beforeAll, describe, expect, it } from 'vitest';
import { classOutcome, CODE_NOT_VISITED, Outcome, outcomeOf, ZERO_BIT } from '../../src/filter/dump-level.js';
import { formatReport, reportForLevel } from '../../src/filter/report.js';
import type { ByteOrder } from '../../src/model/byte-order.js';
import { encodePageLayoutTable, pageLayoutFromVmcoreinfo, TABLE_SLOTS, type PageLayout } from '../../src/kernel/page-layout.js';
import { VmcoreInfo } from '../../src/model/vmcoreinfo.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';

// Struct page layout of Debian's 6.12 and 6.1 kernels (from the real fixtures' VMCOREINFO).
const COMMON = `SIZE(page)=64
OFFSET(page.flags)=0
OFFSET(page.mapping)=24
OFFSET(page.lru)=8
OFFSET(page._mapcount)=48
OFFSET(page.private)=40
OFFSET(page.compound_head)=8
LENGTH(zone.free_area)=11
`;
const V6_12 = `OSRELEASE=6.12.118+deb13-amd64
${COMMON}NUMBER(PG_lru)=5
NUMBER(PG_private)=14
NUMBER(PG_swapcache)=10
NUMBER(PG_swapbacked)=17
NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376
NUMBER(PG_hwpoison)=20
NUMBER(PG_head_mask)=64
NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456
NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592
NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240
`;
const V6_1 = `OSRELEASE=6.1.0-56-amd64
${COMMON}OFFSET(page.compound_dtor)=16
OFFSET(page.compound_order)=17
NUMBER(PG_lru)=4
NUMBER(PG_private)=13
NUMBER(PG_swapcache)=10
NUMBER(PG_swapbacked)=19
NUMBER(PG_slab)=9
NUMBER(PG_hwpoison)=23
NUMBER(PG_head_mask)=65536
NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129
NUMBER(HUGETLB_PAGE_DTOR)=2
NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257
`;

interface Page {
  flags?: bigint;
  mapping?: bigint;
  mapcount?: number;
  private?: bigint;
  compoundHead?: bigint;
  /** raw bytes 16/17 (6.1 compound_dtor / compound_order in page[1]) */
  b16?: number;
  b17?: number;
}

const PAGE_TYPE = (t: number) => ((t << 24) | 0) >>> 0;

let k: KernelExports;
beforeAll(async () => {
  k = await instantiateKernels(await nodeWasmModule());
});

/** Runs the wasm classifier over `pages` (pfn = pfn0 + index) in batches of `batch`, carrying ranges. */
function classify(layout: PageLayout, pages: Page[], opts: { batch?: number; pfn0?: number; notInDump?: number[]; order?: ByteOrder } = {}): Uint8Array {
  const order = opts.order ?? 'little';
  const le = order === 'little';
  const size = layout.structPageSize;
  const batch = opts.batch ?? pages.length;
  const pfn0 = opts.pfn0 ?? 0;
  const table = k.arenaAlloc(TABLE_SLOTS * 8);
  const state = k.arenaAlloc(64);
  const recs = k.arenaAlloc((batch + 1) * size);
  const out = k.arenaAlloc(batch);
  new BigInt64Array(k.memory.buffer, table, TABLE_SLOTS).set(encodePageLayoutTable(layout, order));
  const st = new BigInt64Array(k.memory.buffer, state, 8);
  st.fill(0n);
  st[5] = -1n;
  const bytes = new Uint8Array(pages.length * size);
  const dv = new DataView(bytes.buffer);
  pages.forEach((p, i) => {
    const o = i * size;
    dv.setBigUint64(o + layout.offFlags, p.flags ?? 0n, le);
    dv.setBigUint64(o + layout.offMapping, p.mapping ?? 0n, le);
    dv.setInt32(o + layout.offMapcount, p.mapcount ?? -1, le);
    dv.setBigUint64(o + layout.offPrivate, p.private ?? 0n, le);
    dv.setBigUint64(o + layout.offCompoundHead, p.compoundHead ?? 0n, le);
    if (p.b16 !== undefined) bytes[o + 16] = p.b16;
    if (p.b17 !== undefined) bytes[o + 17] = p.b17;
  });
  const result = new Uint8Array(pages.length);
  for (let start = 0; start < pages.length; start += batch) {
    const count = Math.min(batch, pages.length - start);
    const nrecs = start + count < pages.length ? count + 1 : count;
    new Uint8Array(k.memory.buffer, recs, nrecs * size).set(bytes.subarray(start * size, (start + nrecs) * size));
    const o = new Uint8Array(k.memory.buffer, out, count);
    o.fill(0);
    for (const p of opts.notInDump ?? []) if (p >= start && p < start + count) o[p - start] = 0xff;
    k.classifyPages(table, recs, nrecs, count, pfn0 + start, out, state);
    result.set(new Uint8Array(k.memory.buffer, out, count), start);
  }
  return result;
}

const v612 = () => pageLayoutFromVmcoreinfo(new VmcoreInfo(V6_12), true).layout;
const v61 = () => pageLayoutFromVmcoreinfo(new VmcoreInfo(V6_1), true).layout;
const at = (codes: Uint8Array, level: number) => Array.from(codes, (c) => classOutcome(c, level));
const bit = (n: number) => 1n << BigInt(n);

describe('wasm struct page classifier (makedumpfile 1.7.9 rules)', () => {
  it('6.12: predicate order — hwpoisoned anon is user at -d 8, hwpoison otherwise; slab type 0xf5 with mapping bit 0 is kept', () => {
    const L = v612();
    const codes = classify(L, [
      { flags: bit(20), mapping: 0xffff888000001001n }, // hwpoison + anon
      { mapcount: PAGE_TYPE(0xf5) | 0, mapping: 0xffff888000002001n }, // slab page type, mapping bit 0
      { mapcount: PAGE_TYPE(0xf1) }, // offline
      { flags: bit(5), mapping: 0xffff888000003000n }, // LRU file page: cache
      { flags: bit(5) | bit(14), mapping: 0xffff888000003000n }, // LRU + PG_private: private cache
      { flags: bit(5) | bit(17), mapping: 0xffff888000004001n }, // LRU anon: user, not cache
      { flags: bit(10) | bit(17) }, // swapcache + swapbacked: cache
      { flags: bit(10) }, // swapcache without swapbacked (6.12 knows PG_swapbacked): not cache
    ]);
    expect(at(codes, 0)).toEqual([Outcome.Hwpoison, 0, Outcome.Offline, 0, 0, 0, 0, 0]);
    expect(at(codes, 8)).toEqual([Outcome.User, 0, Outcome.Offline, 0, 0, Outcome.User, 0, 0]);
    expect(at(codes, 2)).toEqual([Outcome.Hwpoison, 0, Outcome.Offline, Outcome.Cache, 0, 0, Outcome.Cache, 0]);
    expect(at(codes, 4)).toEqual([Outcome.Hwpoison, 0, Outcome.Offline, Outcome.Cache, Outcome.CachePrivate, 0, Outcome.Cache, 0]);
    expect(at(codes, 31)).toEqual([Outcome.User, 0, Outcome.Offline, Outcome.Cache, Outcome.CachePrivate, Outcome.User, Outcome.Cache, 0]);
  });

  it('6.12: a buddy block covers 1 << private pfns at -d 16, across batch boundaries; off bit 16 each page is its own', () => {
    const L = v612();
    const pages: Page[] = Array.from({ length: 64 }, () => ({}));
    pages[16] = { mapcount: PAGE_TYPE(0xf0), private: 4n }; // order-4 free block: pfns 16..31
    pages[20] = { flags: bit(5), mapping: 0x1000n }; // (stale) cache-looking page inside it
    pages[40] = { mapcount: PAGE_TYPE(0xf0), private: 11n }; // order >= LENGTH(zone.free_area): skipped at -d 16
    pages[40].flags = bit(20); // … even though it is poisoned: "continue" skips the rest of the chain
    for (const batch of [64, 7, 16, 17]) {
      const codes = classify(L, pages, { batch });
      const free = at(codes, 16);
      expect(free.slice(16, 32).every((o) => o === Outcome.Free)).toBe(true);
      expect(free.filter((o) => o === Outcome.Free).length).toBe(16);
      expect(free[40]).toBe(Outcome.Kept);
      expect(at(codes, 0)[40]).toBe(Outcome.Hwpoison);
      expect(at(codes, 2)[20]).toBe(Outcome.Cache);
      expect(at(codes, 18)[20]).toBe(Outcome.Free);
    }
  });

  it('6.12: compound pages — head order from page[1].flags, tails follow the head, hugetlb by page type', () => {
    const L = v612();
    const pages: Page[] = Array.from({ length: 32 }, () => ({}));
    // anon THP of order 3 at pfn 8
    pages[8] = { flags: bit(6) | bit(5), mapping: 0x5001n };
    pages[9] = { flags: 3n, compoundHead: 0x1000n + 8n * 64n + 1n };
    for (let i = 10; i < 16; i++) pages[i] = { compoundHead: 0x1001n };
    // hugetlb folio of order 2 at pfn 16 (head _mapcount = page type 0xf4, no anon mapping)
    pages[16] = { flags: bit(6), mapcount: PAGE_TYPE(0xf4) };
    pages[17] = { flags: 2n, compoundHead: 0x1001n };
    pages[18] = { compoundHead: 0x1001n };
    pages[19] = { compoundHead: 0x1001n };
    // head not aligned to its order: order rejected, tails kept
    pages[25] = { flags: bit(6), mapping: 0x7001n };
    pages[26] = { flags: 1n, compoundHead: 0x1001n };
    for (const batch of [32, 3, 10]) {
      const codes = classify(L, pages, { batch });
      const user = at(codes, 8);
      expect(user.slice(8, 16)).toEqual(Array(8).fill(Outcome.User));
      expect(user.slice(16, 20)).toEqual(Array(4).fill(Outcome.User));
      expect(user[25]).toBe(Outcome.User);
      expect(user[26]).toBe(Outcome.Kept);
      expect(at(codes, 7).filter((o) => o !== Outcome.Kept)).toEqual([]);
      expect(classOutcome(codes[12], 31)).toBe(Outcome.User);
    }
  });

  it('the last pfn of a 512-page mem_map run is never a compound head', () => {
    const L = v612();
    const pages: Page[] = Array.from({ length: 4 }, () => ({}));
    pages[1] = { flags: bit(6), mapping: 0x5001n }; // pfn 511 (pfn0 = 510)
    pages[2] = { flags: 1n, compoundHead: 0x1001n };
    const codes = classify(L, pages, { pfn0: 510 });
    expect(at(codes, 8)).toEqual([Outcome.Kept, Outcome.User, Outcome.Kept, Outcome.Kept]);
  });

  it('6.1: order and dtor are bytes 17 and 16 of page[1]; HUGETLB_PAGE_DTOR = 2 marks hugetlb', () => {
    const L = v61();
    const pages: Page[] = Array.from({ length: 8 }, () => ({}));
    pages[4] = { flags: bit(16) }; // head, no anon mapping
    pages[5] = { compoundHead: 0x1001n, b16: 2, b17: 2 };
    pages[6] = { compoundHead: 0x1001n };
    pages[7] = { compoundHead: 0x1001n };
    pages[0] = { flags: bit(9), mapping: 0x1001n, mapcount: -129 }; // PG_slab: neither anon nor buddy
    pages[1] = { mapcount: -257 }; // offline
    const codes = classify(L, pages);
    expect(at(codes, 8)).toEqual([0, Outcome.Offline, 0, 0, Outcome.User, Outcome.User, Outcome.User, Outcome.User]);
    expect(at(codes, 16)).toEqual([0, Outcome.Offline, 0, 0, 0, 0, 0, 0]);
  });

  it('big-endian struct pages (s390x) classify as the same pages stored little-endian do', () => {
    const sets: Array<[PageLayout, Page[]]> = [
      [v612(), [
        { flags: bit(20), mapping: 0xffff888000001001n },
        { mapcount: PAGE_TYPE(0xf1) },
        { flags: bit(5) | bit(14), mapping: 0xffff888000003000n },
        { flags: bit(10) | bit(17) },
        { mapcount: PAGE_TYPE(0xf0), private: 2n },
        {}, {}, {},
        { flags: bit(6) | bit(5), mapping: 0x5001n },
        { flags: 3n, compoundHead: 0x1201n },
        ...Array.from({ length: 6 }, () => ({ compoundHead: 0x1001n })),
      ]],
      [v61(), [
        { flags: bit(9), mapping: 0x1001n, mapcount: -129 },
        { mapcount: -257 },
        { mapcount: -129, private: 1n },
        {},
        { flags: bit(16) },
        { compoundHead: 0x1001n, b16: 2, b17: 2 },
        { compoundHead: 0x1001n },
        { compoundHead: 0x1001n },
      ]],
    ];
    for (const [L, pages] of sets) {
      const little = classify(L, pages, { batch: 5 });
      expect(new Set(at(little, 31)).size).toBeGreaterThanOrEqual(3);
      expect(classify(L, pages, { batch: 5, order: 'big' })).toEqual(little);
    }
  });

  it('pfns outside the PT_LOADs are not visited, but ranges reach them', () => {
    const L = v612();
    const pages: Page[] = Array.from({ length: 8 }, () => ({}));
    pages[0] = { mapcount: PAGE_TYPE(0xf0), private: 2n };
    pages[6] = { mapcount: PAGE_TYPE(0xf0), private: 0n };
    const codes = classify(L, pages, { notInDump: [2, 5, 6] });
    expect(codes[5]).toBe(CODE_NOT_VISITED);
    expect(codes[6]).toBe(CODE_NOT_VISITED);
    expect(at(codes, 16)).toEqual([Outcome.Free, Outcome.Free, Outcome.Free, Outcome.Free, 0, 0, 0, 0]);
  });

  it('zero bit: counted only for pages the level keeps, and only with bit 1', () => {
    const code = classify(v612(), [{}, { flags: bit(5), mapping: 0x1000n }]);
    expect(outcomeOf(code[0] | ZERO_BIT, 1)).toBe(Outcome.Zero);
    expect(outcomeOf(code[0] | ZERO_BIT, 0)).toBe(Outcome.Kept);
    expect(outcomeOf(code[1] | ZERO_BIT, 3)).toBe(Outcome.Cache);
    expect(outcomeOf(code[1] | ZERO_BIT, 1)).toBe(Outcome.Zero);
  });

  it('report counts each pfn once but Original pages per PT_LOAD, and prints like makedumpfile', () => {
    const codes = classify(v612(), [{ flags: bit(20) }, { mapcount: PAGE_TYPE(0xf1) }, {}, {}]);
    codes[3] |= ZERO_BIT;
    const src = { classMap: codes, maxPfn: 6, inDump: [{ start: 0, end: 4 }], originalPages: 5 };
    const r = reportForLevel(src, 1);
    expect(r).toMatchObject({ original: 5, zero: 1, hwpoison: 1, offline: 1, excluded: 3, remaining: 2, memoryHole: 1, total: 6 });
    expect(formatReport(r)).toBe(
      [
        '',
        'Original pages  : 0x0000000000000005',
        '  Excluded pages   : 0x0000000000000003',
        '    Pages filled with zero  : 0x0000000000000001',
        '    Non-private cache pages : 0x0000000000000000',
        '    Private cache pages     : 0x0000000000000000',
        '    User process data pages : 0x0000000000000000',
        '    Free pages              : 0x0000000000000000',
        '    Hwpoison pages          : 0x0000000000000001',
        '    Offline pages           : 0x0000000000000001',
        '    Extension filter pages  : 0x0000000000000000',
        '  Remaining pages  : 0x0000000000000002',
        '  (The number of pages is reduced to 40%.)',
        'Memory Hole     : 0x0000000000000001',
        '--------------------------------------------------',
        'Total pages     : 0x0000000000000006',
        '',
      ].join('\n'),
    );
  });
});
