import { describe, expect, it } from 'vitest';
import {
  ALWAYS,
  BuddyMode,
  CompoundMode,
  DL_CACHE,
  DL_CACHE_PRI,
  DL_FREE,
  DL_USER,
  NO_MAPCOUNT,
  encodePageLayoutTable,
  pageLayoutFromVmcoreinfo,
  parseKernelVersion,
} from '../../src/kernel/page-layout.js';
import { VmcoreInfo } from '../../src/model/vmcoreinfo.js';

// The struct page part of the VMCOREINFO of the real fixtures (../shared/fixtures, Debian 6.1 and 6.12 kernels).
const V6_1 = `OSRELEASE=6.1.0-56-amd64
PAGESIZE=4096
SIZE(page)=64
OFFSET(page.flags)=0
OFFSET(page._refcount)=52
OFFSET(page.mapping)=24
OFFSET(page.lru)=8
OFFSET(page._mapcount)=48
OFFSET(page.private)=40
OFFSET(page.compound_dtor)=16
OFFSET(page.compound_order)=17
OFFSET(page.compound_head)=8
OFFSET(list_head.next)=0
OFFSET(list_head.prev)=8
LENGTH(zone.free_area)=11
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

const V6_12 = `OSRELEASE=6.12.118+deb13-amd64
PAGESIZE=4096
SIZE(page)=64
OFFSET(page.flags)=0
OFFSET(page._refcount)=52
OFFSET(page.mapping)=24
OFFSET(page.lru)=8
OFFSET(page._mapcount)=48
OFFSET(page.private)=40
OFFSET(page.compound_head)=8
OFFSET(list_head.next)=0
OFFSET(list_head.prev)=8
LENGTH(zone.free_area)=11
NUMBER(PG_lru)=5
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

function withoutText(text: string, ...keys: string[]): string {
  const lines = text.split('\n').filter((l) => !keys.some((k) => l.startsWith(`${k}=`)));
  expect(lines.length).toBe(text.split('\n').length - keys.length);
  return lines.join('\n');
}

function without(text: string, ...keys: string[]): VmcoreInfo {
  return new VmcoreInfo(withoutText(text, ...keys));
}

function withExtra(text: string, extra: string): VmcoreInfo {
  return new VmcoreInfo(text + extra);
}

describe('page layout from VMCOREINFO', () => {
  it('reads 6.1: compound order/dtor at fixed offsets of page[1], ~PG_xxx mapcount values', () => {
    const { layout, warnings } = pageLayoutFromVmcoreinfo(new VmcoreInfo(V6_1));
    expect(warnings).toEqual([]);
    expect(layout.enabled).toBe(true);
    expect(layout.kernelVersion).toBe(parseKernelVersion('6.1.0'));
    expect(layout.compoundMode).toBe(CompoundMode.Offsets);
    expect([layout.orderOffset, layout.orderWidth, layout.dtorOffset, layout.dtorWidth]).toEqual([17, 1, 16, 1]);
    expect(layout.hugetlbDtor).toBe(2n);
    expect(layout.buddyMode).toBe(BuddyMode.Mapcount);
    expect(layout.buddyMapcount).toBe(BigInt.asUintN(32, -129n));
    expect(layout.offlineMapcount).toBe(BigInt.asUintN(32, -257n));
    expect(layout.slabMapcount).toBe(NO_MAPCOUNT);
    expect([layout.pgLru, layout.pgPrivate, layout.pgSwapcache, layout.pgSwapbacked, layout.pgSlab, layout.pgHwpoison]).toEqual([4, 13, 10, 19, 9, 23]);
    expect(layout.headMask).toBe(65536n);
  });

  it('reads 6.12: page types compared as whole _mapcount values, hugetlb by page type, order in page[1].flags', () => {
    const { layout, warnings } = pageLayoutFromVmcoreinfo(new VmcoreInfo(V6_12));
    // Only the note that makedumpfile still tests flag bit 7 as PG_slab (its 2.6-era default).
    expect(warnings.map((w) => [w.code, w.severity])).toEqual([['W_PG_SLAB_ASSUMED', 'info']]);
    expect(layout.compoundMode).toBe(CompoundMode.HugetlbMapcount);
    expect(layout.buddyMapcount).toBe(0xf0000000n);
    expect(layout.offlineMapcount).toBe(0xf1000000n);
    expect(layout.hugetlbMapcount).toBe(0xf4000000n);
    expect(layout.slabMapcount).toBe(0xf5000000n);
    expect(layout.unacceptedMapcount).toBe(NO_MAPCOUNT);
    expect(layout.pgSlab).toBe(7);
    expect(encodePageLayoutTable(layout)[17]).toBe(0xf0000000n);
  });

  it('parses kernel versions as makedumpfile does', () => {
    expect(parseKernelVersion('6.12.118+deb13-amd64')).toBe((6 << 16) + (12 << 8) + 118);
    expect(parseKernelVersion('7.1.0-rc1')).toBe((7 << 16) + (1 << 8));
    expect(parseKernelVersion(undefined)).toBe(0);
  });

  const cases: { base: string; remove: string[]; code: string; bits: number; mentions: RegExp }[] = [
    { base: V6_12, remove: ['NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)'], code: 'W_NO_BUDDY_MAPCOUNT', bits: DL_FREE, mentions: /free pages \(bit 16\) cannot be excluded/ },
    { base: V6_1, remove: ['NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)'], code: 'W_NO_BUDDY_MAPCOUNT', bits: DL_FREE, mentions: /-128/ },
    { base: V6_12, remove: ['OFFSET(page.private)'], code: 'W_NO_BUDDY', bits: DL_FREE, mentions: /free pages are kept/ },
    { base: V6_12, remove: ['OFFSET(page._mapcount)'], code: 'W_NO_BUDDY', bits: DL_FREE, mentions: /OFFSET\(page\._mapcount\)/ },
    { base: V6_12, remove: ['OFFSET(page._mapcount)'], code: 'W_NO_MAPCOUNT', bits: ALWAYS | DL_USER, mentions: /offline pages/ },
    { base: V6_12, remove: ['NUMBER(PG_hwpoison)'], code: 'W_NO_PG_HWPOISON', bits: ALWAYS, mentions: /hardware-poisoned pages .* kept/ },
    { base: V6_1, remove: ['NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)'], code: 'W_NO_OFFLINE_MAPCOUNT', bits: ALWAYS, mentions: /offline pages .* kept/ },
    { base: V6_12, remove: ['NUMBER(PG_lru)'], code: 'W_NO_PG_LRU', bits: DL_CACHE | DL_CACHE_PRI, mentions: /bit 5/ },
    { base: V6_12, remove: ['NUMBER(PG_private)'], code: 'W_NO_PG_PRIVATE', bits: DL_CACHE | DL_CACHE_PRI, mentions: /private/ },
    { base: V6_12, remove: ['NUMBER(PG_swapcache)'], code: 'W_NO_PG_SWAPCACHE', bits: DL_CACHE | DL_CACHE_PRI, mentions: /swap cache/ },
    { base: V6_12, remove: ['NUMBER(PG_swapbacked)'], code: 'W_NO_PG_SWAPBACKED', bits: DL_CACHE | DL_CACHE_PRI, mentions: /guesses bit 20/ },
    { base: V6_12, remove: ['NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)'], code: 'W_NO_SLAB', bits: DL_USER | DL_FREE | ALWAYS, mentions: /slab pages cannot be recognised/ },
    { base: V6_1, remove: ['NUMBER(PG_slab)'], code: 'W_NO_SLAB', bits: DL_USER | DL_FREE | ALWAYS, mentions: /NUMBER\(PG_slab\)/ },
    { base: V6_12, remove: ['NUMBER(PG_head_mask)'], code: 'W_NO_PG_HEAD_MASK', bits: DL_CACHE | DL_CACHE_PRI | DL_USER, mentions: /tails/ },
    { base: V6_12, remove: ['OFFSET(page.compound_head)'], code: 'W_NO_COMPOUND_HEAD', bits: DL_CACHE | DL_CACHE_PRI | DL_USER, mentions: /tail pages/ },
    { base: V6_12, remove: ['NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)'], code: 'W_NO_COMPOUND_ORDER', bits: DL_CACHE | DL_CACHE_PRI | DL_USER, mentions: /hugetlb pages are not recognised/ },
    { base: V6_1, remove: ['NUMBER(HUGETLB_PAGE_DTOR)'], code: 'W_NO_HUGETLB', bits: DL_USER, mentions: /hugetlbfs pages .* \(bit 8\)/ },
    { base: V6_1, remove: ['OFFSET(page.compound_dtor)'], code: 'W_NO_HUGETLB', bits: DL_USER, mentions: /destructor/ },
    { base: V6_1, remove: ['OFFSET(page.compound_order)', 'OFFSET(page.compound_dtor)'], code: 'W_NO_COMPOUND_ORDER', bits: DL_CACHE | DL_CACHE_PRI | DL_USER, mentions: /order of compound pages/ },
    { base: V6_12, remove: ['SIZE(page)'], code: 'W_NO_STRUCT_PAGE', bits: DL_CACHE | DL_CACHE_PRI | DL_USER | DL_FREE | ALWAYS, mentions: /only zero pages can be excluded/ },
    { base: V6_12, remove: ['OFFSET(page.flags)'], code: 'W_NO_STRUCT_PAGE', bits: DL_CACHE | DL_CACHE_PRI | DL_USER | DL_FREE | ALWAYS, mentions: /OFFSET\(page\.flags\)/ },
    { base: V6_12, remove: ['OFFSET(page.mapping)'], code: 'W_NO_STRUCT_PAGE', bits: DL_CACHE | DL_CACHE_PRI | DL_USER | DL_FREE | ALWAYS, mentions: /OFFSET\(page\.mapping\)/ },
  ];

  for (const c of cases) {
    it(`without ${c.remove.join(' and ')} (${c.base === V6_1 ? '6.1' : '6.12'}): ${c.code}`, () => {
      const { warnings } = pageLayoutFromVmcoreinfo(without(c.base, ...c.remove));
      const w = warnings.find((x) => x.code === c.code);
      expect(w, JSON.stringify(warnings, null, 1)).toBeDefined();
      expect(w!.severity).toBe('warning');
      expect(w!.lostBits).toBe(c.bits);
      expect(w!.keys.some((k) => c.remove.includes(k))).toBe(true);
      for (const key of c.remove.filter((k) => w!.keys.includes(k))) expect(w!.message).toContain(key);
      expect(w!.message).toMatch(c.mentions);
      // Every lost bit is named in the text.
      if (c.bits & DL_FREE) expect(w!.message).toContain('16 (free pages)');
      if (c.bits & DL_USER) expect(w!.message).toContain('8 (user data)');
      if (c.bits & ALWAYS) expect(w!.message).toContain('always-excluded');
    });
  }

  it('keeps makedumpfile fallbacks so classes stay comparable: missing PAGE_BUDDY_MAPCOUNT_VALUE becomes -128 on 2.6.39+', () => {
    const { layout } = pageLayoutFromVmcoreinfo(without(V6_12, 'NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)'));
    expect(layout.buddyMode).toBe(BuddyMode.Mapcount);
    expect(layout.buddyMapcount).toBe(BigInt.asUintN(32, -128n));
  });

  it('disables classification when struct page cannot be read', () => {
    expect(pageLayoutFromVmcoreinfo(without(V6_12, 'SIZE(page)')).layout.enabled).toBe(false);
  });

  it('warns about kernels newer than the known rules (7.3 and its stable releases are known) and accepts page.compound_info (7.1+)', () => {
    const release = (r: string) => new VmcoreInfo(V6_12.replace('OSRELEASE=6.12.118+deb13-amd64', `OSRELEASE=${r}`).replace('OFFSET(page.compound_head)=8', 'OFFSET(page.compound_info)=8'));
    const { layout, warnings } = pageLayoutFromVmcoreinfo(release('7.4.0'));
    expect(layout.offCompoundHead).toBe(8);
    expect(warnings.map((w) => w.code)).toContain('W_KERNEL_TOO_NEW');
    expect(warnings.map((w) => w.code)).not.toContain('W_NO_COMPOUND_HEAD');
    for (const known of ['7.2.13+deb14-amd64', '7.3-amd64', '7.3.9'])
      expect(pageLayoutFromVmcoreinfo(release(known)).warnings.map((w) => w.code), known).not.toContain('W_KERNEL_TOO_NEW');
  });

  it('takes 6.6–6.8 PG_hugetlb and 6.3–6.5 folio offsets', () => {
    const v68 = pageLayoutFromVmcoreinfo(withExtra(withoutText(V6_12, 'NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)'), 'NUMBER(PG_hugetlb)=22\n')).layout;
    expect(v68.compoundMode).toBe(CompoundMode.PgHugetlb);
    expect(v68.pgHugetlb).toBe(22);
    const v65 = pageLayoutFromVmcoreinfo(
      withExtra(withoutText(V6_1, 'OFFSET(page.compound_order)', 'OFFSET(page.compound_dtor)'), 'OFFSET(folio._folio_dtor)=80\nOFFSET(folio._folio_order)=81\n'),
    ).layout;
    expect(v65.compoundMode).toBe(CompoundMode.Offsets);
    expect([v65.dtorOffset, v65.orderOffset]).toEqual([16, 17]);
  });
});
