// The arm64 page-table walk on hand-built tables, for every granule / VA size Linux builds, each with its descriptor
// layout (PA48; FEAT_LPA for 64 KiB pages with 52-bit PA; FEAT_LPA2 for 4/16 KiB pages with 52-bit VA), and the
// kernel layout read from VMCOREINFO with makedumpfile's fallbacks.
import { describe, expect, it } from 'vitest';
import type { LoadSegment } from '../../src/model/dump.js';
import { arm64Layout, levelShift, type Arm64Layout, type DescriptorFormat } from '../../src/kernel/arm64/layout.js';
import { Arm64Translator } from '../../src/kernel/arm64/translate.js';
import { VmcoreInfo } from '../../src/model/vmcoreinfo.js';

const bit = (n: number) => 1n << BigInt(n);
const mask = (hi: number, lo: number) => bit(hi + 1) - bit(lo);

/** Sparse physical memory, one granule per entry, with a bump allocator for tables. */
class PhysMemory {
  private readonly pages = new Map<bigint, Uint8Array>();
  private next: bigint;
  readonly tables: bigint[] = [];
  constructor(
    readonly granule: number,
    firstTable: bigint,
  ) {
    this.next = firstTable;
  }
  allocTable(): bigint {
    const at = this.next;
    this.next += BigInt(this.granule);
    this.tables.push(at);
    return at;
  }
  private page(pa: bigint): Uint8Array {
    const base = pa & ~BigInt(this.granule - 1);
    let p = this.pages.get(base);
    if (!p) this.pages.set(base, (p = new Uint8Array(this.granule)));
    return p;
  }
  setEntry(table: bigint, index: number, value: bigint) {
    const at = table + BigInt(index * 8);
    new DataView(this.page(at).buffer).setBigUint64(Number(at & BigInt(this.granule - 1)), value, true);
  }
  getEntry(table: bigint, index: number): bigint {
    const at = table + BigInt(index * 8);
    return new DataView(this.page(at).buffer).getBigUint64(Number(at & BigInt(this.granule - 1)), true);
  }
  read = async (paddr: number, length: number): Promise<Uint8Array> => {
    const pa = BigInt(paddr);
    if (!this.pages.has(pa & ~BigInt(this.granule - 1))) throw new Error(`read of unmapped physical 0x${pa.toString(16)}`);
    const off = Number(pa & BigInt(this.granule - 1));
    return this.page(pa).slice(off, off + length);
  };
}

/** The descriptor bits that hold `pa` in each layout (the inverse of what the translator decodes). */
function encode(format: DescriptorFormat, pageShift: number, pa: bigint): bigint {
  switch (format) {
    case 'pa48':
      return pa & mask(47, pageShift);
    case 'lpa':
      return (pa & mask(47, 16)) | (((pa >> 48n) & 0xfn) << 12n);
    case 'lpa2':
      return (pa & mask(49, pageShift)) | (((pa >> 50n) & 0x3n) << 8n);
  }
}

interface Combo {
  pageSize: number;
  vaBits: number;
  levels: number;
  descriptor: DescriptorFormat;
}

const COMBOS: Combo[] = [
  { pageSize: 4096, vaBits: 39, levels: 3, descriptor: 'pa48' },
  { pageSize: 4096, vaBits: 48, levels: 4, descriptor: 'pa48' },
  { pageSize: 4096, vaBits: 52, levels: 5, descriptor: 'lpa2' },
  { pageSize: 16384, vaBits: 47, levels: 3, descriptor: 'pa48' },
  { pageSize: 16384, vaBits: 48, levels: 4, descriptor: 'pa48' },
  { pageSize: 16384, vaBits: 52, levels: 4, descriptor: 'lpa2' },
  { pageSize: 65536, vaBits: 42, levels: 2, descriptor: 'pa48' },
  { pageSize: 65536, vaBits: 48, levels: 3, descriptor: 'pa48' },
  { pageSize: 65536, vaBits: 52, levels: 3, descriptor: 'lpa' },
];

function layoutFor(c: Combo, swapperPhys: bigint): Arm64Layout {
  // The kernel image in the upper half of the kernel VA range (the flipped layout's): VA = PA − 2^(VA_BITS−1).
  const kimageVoffset = BigInt.asUintN(64, -bit(c.vaBits - 1));
  return {
    pageShift: Math.log2(c.pageSize),
    vaBits: c.vaBits,
    vabitsActual: c.vaBits,
    levels: c.levels,
    flipped: true,
    pageOffset: BigInt.asUintN(64, -bit(c.vaBits)),
    physOffset: 0n,
    kimageVoffset,
    swapperPgDir: swapperPhys + kimageVoffset,
    maxPhysmemBits: c.descriptor === 'pa48' ? 48 : 52,
    sectionSizeBits: 27,
    descriptor: c.descriptor,
  };
}

/** Maps `va` at the given level (0 = the last level, a page; above: a block) onto `pa`, building tables down to it. */
function map(mem: PhysMemory, l: Arm64Layout, va: bigint, pa: bigint, atLevel: number) {
  const perLevel = l.pageShift - 3;
  let table = l.swapperPgDir - l.kimageVoffset!;
  for (let level = l.levels - 1; level >= atLevel; level--) {
    const shift = l.pageShift + perLevel * level;
    const indexBits = level === l.levels - 1 ? l.vabitsActual - shift : perLevel;
    const index = Number((va >> BigInt(shift)) & (bit(indexBits) - 1n));
    if (level === atLevel) {
      mem.setEntry(table, index, encode(l.descriptor, l.pageShift, pa) | (level === 0 ? 3n : 1n) | 0x400n);
      return;
    }
    let entry = mem.getEntry(table, index);
    if (entry === 0n) {
      entry = encode(l.descriptor, l.pageShift, mem.allocTable()) | 3n;
      mem.setEntry(table, index, entry);
    }
    table = decodeTable(l, entry);
  }
}

function decodeTable(l: Arm64Layout, entry: bigint): bigint {
  if (l.descriptor === 'lpa') return (entry & mask(47, 16)) | ((entry & mask(15, 12)) << 36n);
  if (l.descriptor === 'lpa2') return (entry & mask(49, l.pageShift)) | ((entry & mask(9, 8)) << 42n);
  return entry & mask(47, l.pageShift);
}

describe('arm64 page-table walk on hand-built tables', () => {
  for (const c of COMBOS) {
    describe(`${c.pageSize / 1024} KiB pages, ${c.vaBits}-bit VA (${c.levels} levels, ${c.descriptor})`, () => {
      const wide = c.descriptor !== 'pa48';
      // Tables and targets above 2^48 where the layout can address them, so the high PA bits are exercised.
      const tableBase = wide ? 0x0006_4000_0000_0000n : 0x1000_0000n;
      const setup = () => {
        const mem = new PhysMemory(c.pageSize, tableBase);
        const root = mem.allocTable();
        const l = layoutFor(c, root);
        return { mem, l, t: new Arm64Translator(mem.read, l) };
      };
      const granule = BigInt(c.pageSize);
      const top = BigInt.asUintN(64, -bit(c.vaBits));

      it('a page: the MMU output address plus the offset in the page', async () => {
        const { mem, l, t } = setup();
        const va = top + 0x1234n * granule * 3n + 0x2a8n;
        const pa = (wide ? 0x000f_edcb_a000_0000n : 0x0000_7654_3210_0000n) & ~(granule - 1n);
        map(mem, l, va & ~(granule - 1n), pa, 0);
        expect(BigInt(await t.toPhys(va))).toBe(pa + 0x2a8n);
        // The next page is not mapped: a specific error, not a wrong address.
        await expect(t.toPhys(va + granule)).rejects.toMatchObject({ code: 'E_TRANSLATE' });
      });

      it('a block one level above the page (PMD): offset inside the block kept', async () => {
        const { mem, l, t } = setup();
        const blockShift = l.pageShift + (l.pageShift - 3);
        const block = bit(blockShift);
        const va = top + 5n * block + 0x12345n;
        const pa = (wide ? 0x0009_0000_0000_0000n : 0x0000_0800_0000_0000n) + 3n * block;
        map(mem, l, va & ~(block - 1n), pa, 1);
        expect(BigInt(await t.toPhys(va))).toBe(pa + 0x12345n);
        expect(BigInt(await t.toPhys(va + 0x1000n))).toBe(pa + 0x13345n);
      });

      // 1 GiB blocks: level-1 blocks with 16/64 KiB granules exist only with LPA2/LPA.
      if (c.pageSize === 4096)
        it('a block two levels above the page (PUD, 1 GiB)', async () => {
          const { mem, l, t } = setup();
          const blockShift = l.pageShift + 2 * (l.pageShift - 3);
          const block = bit(blockShift);
          const va = top + 2n * block + 0xabcdef0n;
          const pa = wide ? 0x000c_0000_0000_0000n : 0x0000_0040_0000_0000n;
          map(mem, l, va & ~(block - 1n), pa, 2);
          expect(BigInt(await t.toPhys(va))).toBe(pa + 0xabcdef0n);
        });

      it('the top-level index uses only the VA bits below vabits_actual', async () => {
        const { mem, l, t } = setup();
        const lastVa = BigInt.asUintN(64, -granule);
        map(mem, l, lastVa, 0x4000_0000n, 0);
        expect(await t.toPhys(lastVa + 8n)).toBe(0x4000_0008);
        const entries = Number(bit(c.vaBits - (l.pageShift + (l.pageShift - 3) * (c.levels - 1))));
        expect(mem.getEntry(l.swapperPgDir - l.kimageVoffset!, entries - 1) & 3n).toBe(3n);
      });
    });
  }
});

describe('arm64 kernel page-table listing on hand-built tables', () => {
  for (const c of COMBOS) {
    it(`${c.pageSize / 1024} KiB pages, ${c.vaBits}-bit VA (${c.descriptor}): every table the walk visits, and no block or page behind a leaf`, async () => {
      const wide = c.descriptor !== 'pa48';
      const mem = new PhysMemory(c.pageSize, wide ? 0x0006_4000_0000_0000n : 0x1000_0000n);
      const l = layoutFor(c, mem.allocTable());
      const granule = BigInt(c.pageSize);
      const top = BigInt.asUintN(64, -bit(c.vaBits));
      const block = bit(levelShift(l, 1));
      // Leaves point at physical memory PhysMemory does not hold: following one as a table would fail the read.
      const target = wide ? 0x000f_0000_0000_0000n : 0x0000_7000_0000_0000n;
      const leaves: [bigint, number][] = [
        [top + 0x1234n * granule, 0],
        [top + 7n * block, 1],
        [top + bit(levelShift(l, l.levels - 1)), 0],
        [BigInt.asUintN(64, -granule), 0],
      ];
      for (const [va, level] of leaves) map(mem, l, va, target, level);

      const visited = new Set<bigint>();
      const walker = new Arm64Translator(async (paddr, length) => {
        visited.add(BigInt(paddr));
        return mem.read(paddr, length);
      }, l);
      for (const [va] of leaves) await walker.toPhys(va);

      const listed = await new Arm64Translator(mem.read, l).kernelTablePages();
      expect(new Set(listed).size).toBe(listed.length);
      expect([...visited].filter((t) => !listed.includes(t))).toEqual([]);
      expect([...listed].sort()).toEqual([...mem.tables].sort());
    });
  }
});

const REAL = [
  'OSRELEASE=6.1.0-57-arm64',
  'PAGESIZE=4096',
  'SYMBOL(swapper_pg_dir)=ffffbfc08c658000',
  'SYMBOL(_stext)=ffffbfc08b010000',
  'SYMBOL(mem_section)=ffff091e2fe50380',
  'NUMBER(SECTION_SIZE_BITS)=27',
  'NUMBER(MAX_PHYSMEM_BITS)=48',
  'NUMBER(VA_BITS)=48',
  'NUMBER(kimage_voffset)=0xffffbfc04ae00000',
  'NUMBER(PHYS_OFFSET)=0xfffff6e240000000',
  'NUMBER(TCR_EL1_T1SZ)=0x10',
  'KERNELOFFSET=3fc083000000',
];
const info = (lines: string[]) => new VmcoreInfo(lines.join('\n') + '\n');
const without = (...keys: string[]) => REAL.filter((l) => !keys.some((k) => l.startsWith(`${k}=`)));
const LINEAR_LOAD: LoadSegment = { physStart: 0x40000000, physEnd: 0x5b200000, fileOffset: 0, fileSize: 0x1b200000, virtStart: 0xffff091e00000000n, flags: 7 };

describe('arm64 kernel layout from VMCOREINFO', () => {
  it("the real fixture's keys: 5.4+ flipped layout, __pa of the kernel image via kimage_voffset, linear map via PHYS_OFFSET", async () => {
    const { layout, warnings } = arm64Layout(info(REAL), [], 4096);
    expect(warnings).toEqual([]);
    expect(layout).toMatchObject({ vaBits: 48, vabitsActual: 48, levels: 4, flipped: true, pageOffset: 0xffff000000000000n, physOffset: 0xfffff6e240000000n, descriptor: 'pa48', sectionSizeBits: 27 });
    const { physOfKernelAddress } = await import('../../src/kernel/arm64/layout.js');
    // makedumpfile: swapper_pg_dir - kimage_voffset; mem_section (linear) & ~PAGE_OFFSET + PHYS_OFFSET.
    expect(physOfKernelAddress(layout, layout.swapperPgDir)).toBe(0x41858000n);
    expect(physOfKernelAddress(layout, 0xffff091e2fe50380n)).toBe(0x6fe50380n);
  });

  it('a pre-5.4 kernel (_stext below PAGE_END): the linear map is the upper half', async () => {
    const old = [...without('SYMBOL(_stext)', 'NUMBER(TCR_EL1_T1SZ)'), 'SYMBOL(_stext)=ffff000008081000'];
    const { layout, warnings } = arm64Layout(info(old), [], 4096);
    expect(layout.flipped).toBe(false);
    expect(layout.pageOffset).toBe(0xffff800000000000n);
    expect(warnings).toEqual([]);
    const { physOfKernelAddress } = await import('../../src/kernel/arm64/layout.js');
    expect(physOfKernelAddress({ ...layout, physOffset: 0x40000000n }, 0xffff800000123000n)).toBe(0x40123000n);
  });

  it.each([
    ['NUMBER(VA_BITS)', 'W_NO_VA_BITS', { vaBits: 48 }],
    ['NUMBER(PHYS_OFFSET)', 'W_NO_PHYS_OFFSET', { physOffset: 0x40000000n - 0x091e00000000n + 0x10000000000000000n }],
    ['NUMBER(kimage_voffset)', 'W_NO_KIMAGE_VOFFSET', { kimageVoffset: undefined }],
    ['NUMBER(MAX_PHYSMEM_BITS)', 'W_NO_MAX_PHYSMEM_BITS', { maxPhysmemBits: 48 }],
    ['NUMBER(SECTION_SIZE_BITS)', 'W_NO_SECTION_SIZE_BITS', { sectionSizeBits: 30 }],
    ['SYMBOL(_stext)', 'W_NO_STEXT', { flipped: false }],
  ] as const)("without %s: makedumpfile's fallback, and a warning naming it", (key, code, expected) => {
    const { layout, warnings } = arm64Layout(info(without(key)), [LINEAR_LOAD], 4096);
    expect(layout).toMatchObject(expected);
    expect(warnings.map((w) => w.code)).toEqual([code]);
    expect(warnings[0].message).toContain(key);
  });

  it('52-bit VA kernel on 48-bit hardware: vabits_actual from TCR_EL1_T1SZ sets the levels; LPA2 only with 52-bit VA running', () => {
    const lines = [...without('NUMBER(VA_BITS)', 'NUMBER(MAX_PHYSMEM_BITS)'), 'NUMBER(VA_BITS)=52', 'NUMBER(MAX_PHYSMEM_BITS)=52'];
    expect(arm64Layout(info(lines), [], 4096).layout).toMatchObject({ vaBits: 52, vabitsActual: 48, levels: 4, descriptor: 'pa48' });
    const lva = [...lines.filter((l) => !l.startsWith('NUMBER(TCR_EL1_T1SZ)')), 'NUMBER(TCR_EL1_T1SZ)=12'];
    expect(arm64Layout(info(lva), [], 4096).layout).toMatchObject({ vabitsActual: 52, levels: 5, descriptor: 'lpa2' });
    expect(arm64Layout(info(lva), [], 65536).layout).toMatchObject({ vabitsActual: 52, levels: 3, descriptor: 'lpa' });
  });

  it('a granule / VA size Linux does not build, or no swapper_pg_dir: a specific error', () => {
    expect(() => arm64Layout(info([...without('NUMBER(TCR_EL1_T1SZ)'), 'NUMBER(TCR_EL1_T1SZ)=0x16']), [], 4096)).toThrow(/4 KiB pages and 42-bit virtual addresses is not a configuration Linux builds/);
    expect(() => arm64Layout(info(without('SYMBOL(swapper_pg_dir)')), [], 4096)).toThrow(/SYMBOL\(swapper_pg_dir\)/);
  });
});
