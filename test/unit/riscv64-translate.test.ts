// The riscv64 translation on hand-built page tables for Sv39, Sv48 and Sv57 (leaves at every level, Svnapot pages),
// the offset mappings of the linear map and kernel image, and the layout read from VMCOREINFO with makedumpfile's
// fallbacks (arch/riscv64.c) and the refusals where it has none.
import { describe, expect, it } from 'vitest';
import type { LoadSegment } from '../../src/model/dump.js';
import { RISCV64 } from '../../src/kernel/riscv64/arch.js';
import { riscv64Layout } from '../../src/kernel/riscv64/layout.js';
import { Riscv64Translator } from '../../src/kernel/riscv64/translate.js';
import { VmcoreInfo } from '../../src/model/vmcoreinfo.js';

const PAGE = 4096n;
const V = 1n;
/** Leaf permissions: R and W (a table entry has none of R, W, X). */
const RW = 0b0110n;
const NAPOT = 1n << 63n;
const pte = (pa: bigint, flags: bigint) => ((pa >> 12n) << 10n) | flags;

/** Sparse physical memory, 4 KiB per page, with a bump allocator for tables. */
class PhysMemory {
  private readonly pages = new Map<bigint, Uint8Array>();
  private next = 0x9000_0000n;
  readonly tables: bigint[] = [];
  allocTable(): bigint {
    const at = this.next;
    this.next += PAGE;
    this.tables.push(at);
    this.page(at);
    return at;
  }
  /** The page at `pa`, zero-filled when new. */
  page(pa: bigint): Uint8Array {
    const base = pa & ~(PAGE - 1n);
    let p = this.pages.get(base);
    if (!p) this.pages.set(base, (p = new Uint8Array(Number(PAGE))));
    return p;
  }
  setEntry(table: bigint, index: number, value: bigint) {
    new DataView(this.page(table).buffer).setBigUint64(index * 8, value, true);
  }
  read = async (paddr: number, length: number): Promise<Uint8Array> => {
    const pa = BigInt(paddr);
    if (!this.pages.has(pa & ~(PAGE - 1n))) throw new Error(`read of unmapped physical 0x${pa.toString(16)}`);
    const off = Number(pa & (PAGE - 1n));
    return this.page(pa).slice(off, off + length);
  };
}

/** Layout keys of a 6.12 kernel (the fixture's values), in the mode asked for. */
const MODES = {
  39: { pageOffset: 0xffffffd600000000n, vmemmapStart: 0xffffffc400000000n, vmallocStart: 0xffffffc800000000n },
  48: { pageOffset: 0xffffaf8000000000n, vmemmapStart: 0xffff8d8000000000n, vmallocStart: 0xffff8f8000000000n },
  57: { pageOffset: 0xff60000000000000n, vmemmapStart: 0xff1c000000000000n, vmallocStart: 0xff20000000000000n },
} as const;
const KERNEL_LINK_ADDR = 0xffffffff80000000n;
const VA_KERNEL_PA_OFFSET = 0xfffffffeffe00000n;
const SWAPPER = 0xffffffff81dcb000n;
const hex = (v: bigint) => `0x${v.toString(16)}`;

function vmcoreinfo(vaBits: 39 | 48 | 57): string[] {
  const m = MODES[vaBits];
  return [
    'OSRELEASE=6.12.118+deb13-riscv64',
    'PAGESIZE=4096',
    `SYMBOL(swapper_pg_dir)=${SWAPPER.toString(16)}`,
    'SYMBOL(_stext)=ffffffff80002000',
    `NUMBER(VMALLOC_START)=${hex(m.vmallocStart)}`,
    'NUMBER(SECTION_SIZE_BITS)=27',
    'NUMBER(MAX_PHYSMEM_BITS)=56',
    'NUMBER(phys_ram_base)=2147483648',
    `NUMBER(PAGE_OFFSET)=${hex(m.pageOffset)}`,
    `NUMBER(VMALLOC_END)=${hex(m.pageOffset)}`,
    `NUMBER(VA_BITS)=${vaBits}`,
    `NUMBER(VMEMMAP_START)=${hex(m.vmemmapStart)}`,
    `NUMBER(VMEMMAP_END)=${hex(m.vmallocStart)}`,
    'NUMBER(MODULES_VADDR)=0xffffffff01e6c000',
    'NUMBER(MODULES_END)=0xffffffff80000000',
    `NUMBER(KERNEL_LINK_ADDR)=${hex(KERNEL_LINK_ADDR)}`,
    `NUMBER(va_kernel_pa_offset)=${hex(VA_KERNEL_PA_OFFSET)}`,
  ];
}
const info = (lines: string[]) => new VmcoreInfo(lines.join('\n'));
const without = (lines: string[], ...keys: string[]) => lines.filter((l) => !keys.some((k) => l.startsWith(`${k}=`)));
/** kexec's kernel-text PT_LOAD (true p_vaddr) and a RAM one whose p_vaddr is garbage, as in the fixture. */
const LOADS: LoadSegment[] = [
  { physStart: 0x80202000, physEnd: 0x8206b3f7, fileOffset: 0x2000, fileSize: 0x1e693f7, virtStart: 0xffffffff80002000n, flags: 7 },
  { physStart: 0x8206b3f8, physEnd: 0xacc00000, fileOffset: 0x1fee3f8, fileSize: 0x2ab94c08, virtStart: 0x2c6a3f8n, flags: 7 },
];

/** A translator over fresh tables: the root at swapper_pg_dir's physical address, tables below it allocated as needed. */
function build(vaBits: 39 | 48 | 57) {
  const mem = new PhysMemory();
  const root = SWAPPER - VA_KERNEL_PA_OFFSET;
  const levels = (vaBits - 12) / 9;
  const tables = new Map<string, bigint>([['', root]]);
  mem.page(root);
  /** Maps `va` → `pa` with a leaf at `level` (0: 4 KiB), creating the tables above it. */
  const map = (va: bigint, pa: bigint, level: number, flags = RW) => {
    let table = root;
    let path = '';
    for (let l = levels - 1; l > level; l--) {
      const index = Number((va >> BigInt(12 + 9 * l)) & 511n);
      path += `/${index}`;
      let next = tables.get(path);
      if (next === undefined) {
        next = mem.allocTable();
        tables.set(path, next);
        mem.setEntry(table, index, pte(next, V));
      }
      table = next;
    }
    mem.setEntry(table, Number((va >> BigInt(12 + 9 * level)) & 511n), pte(pa, V | flags));
  };
  const t = Riscv64Translator.open({ info: info(vmcoreinfo(vaBits)), loads: LOADS, pageSize: 4096, readPhys: mem.read });
  return { mem, map, t, root, levels };
}

describe('riscv64 translation', () => {
  it.each([39, 48, 57] as const)('Sv%i: 4 KiB pages and huge leaves at every level above, the offset within kept', async (vaBits) => {
    const { map, t, levels } = build(vaBits);
    const vmemmap = MODES[vaBits].vmemmapStart;
    expect(t.levels).toBe(levels);
    // Each leaf at its own top-level slot, so the tables of one do not hold another's; all mapped before the first
    // walk (the translator keeps the tables it read: a dump does not change).
    const leaves = Array.from({ length: levels }, (_, level) => {
      const span = 1n << BigInt(12 + 9 * level);
      const leaf = { level, span, va: vmemmap + BigInt(level + 1) * (1n << BigInt(12 + 9 * (levels - 1))) + span, pa: 0x4_0000_0000_0000n + span * 3n };
      map(leaf.va, leaf.pa, level);
      return leaf;
    });
    for (const { level, span, va, pa } of leaves) {
      const off = span / 2n + 0x123n;
      expect(await t.toPhysRun(va + off), `leaf at level ${level}`).toEqual({ phys: Number(pa + off), bytes: Number(span - off) });
    }
  });

  it('Svnapot: a last-level leaf with N set maps the 64 KiB its PPN names', async () => {
    const { map, t } = build(57);
    const va = MODES[57].vmallocStart + 0x30000n;
    // PPN of a 64 KiB NAPOT page: the page's PPN with its low 4 bits 0b1000.
    map(va + 0x5000n, 0x1_2345_0000n | 0x8000n, 0, RW | NAPOT);
    expect(await t.toPhysRun(va + 0x5abcn)).toEqual({ phys: 0x1_2345_5abc, bytes: 0x10000 - 0x5abc });
  });

  it('linear-map and kernel-image addresses by offset, as makedumpfile VTOP, without a table read', async () => {
    const { t } = build(57);
    expect(await t.toPhys(0xff6000003dc00000n)).toBe(0x80000000 + 0x3dc00000);
    expect(await t.toPhys(0xffffffff81dcb000n)).toBe(0x81fcb000);
    expect(t.physBase).toBe(0x80000000n);
  });

  it('vmalloc, vmemmap and modules are walked, ends included (PAGE_OFFSET itself is VMALLOC_END)', async () => {
    const { map, t } = build(57);
    const pageOffset = MODES[57].pageOffset;
    // A page-table mapping that disagrees with the linear offset shows which way was taken.
    map(pageOffset, 0x7000_0000n, 0);
    map(0xffffffff80000000n, 0x7100_0000n, 0);
    expect(await t.toPhys(pageOffset)).toBe(0x7000_0000);
    expect(await t.toPhys(pageOffset + PAGE)).toBe(0x80001000);
    expect(await t.toPhys(0xffffffff80000000n)).toBe(0x7100_0000);
    expect(await t.toPhys(0xffffffff80001000n)).toBe(0x80201000);
  });

  it('an invalid entry, or a last-level entry that is no leaf, is E_TRANSLATE', async () => {
    const va = MODES[48].vmemmapStart;
    await expect(build(48).t.toPhys(va)).rejects.toMatchObject({ code: 'E_TRANSLATE', message: expect.stringContaining('no valid entry') });
    const { map, t } = build(48);
    map(va, 0x9100_0000n, 0, 0n);
    await expect(t.toPhys(va)).rejects.toMatchObject({ code: 'E_TRANSLATE', message: expect.stringContaining('not a leaf') });
  });

  it('kernelTablePages lists the root and every table under it, not what leaves map', async () => {
    const { mem, map, t, root } = build(57);
    map(MODES[57].vmemmapStart, 0xa000_0000n, 1);
    map(MODES[57].vmallocStart, 0xa020_0000n, 0);
    expect((await t.kernelTablePages()).sort()).toEqual([root, ...mem.tables].sort());
  });
});

describe('riscv64 layout from VMCOREINFO', () => {
  const full = vmcoreinfo(57);

  it('reads the 6.12 keys with no warning', () => {
    const { layout, warnings } = riscv64Layout(info(full), LOADS);
    expect(warnings).toEqual([]);
    expect(layout).toMatchObject({ vaBits: 57, levels: 5, pageOffset: 0xff60000000000000n, physRamBase: 0x80000000n, vaKernelPaOffset: VA_KERNEL_PA_OFFSET, maxPhysmemBits: 56, sectionSizeBits: 27 });
  });

  it.each([
    ['NUMBER(phys_ram_base)', 'W_NO_PHYS_RAM_BASE', { physRamBase: 0x80200000n }],
    ['NUMBER(MAX_PHYSMEM_BITS)', 'W_NO_MAX_PHYSMEM_BITS', { maxPhysmemBits: 56 }],
    ['NUMBER(SECTION_SIZE_BITS)', 'W_NO_SECTION_SIZE_BITS', { sectionSizeBits: 27 }],
    // Older kernels and XIP ones: the kernel-text PT_LOAD gives it.
    ['NUMBER(va_kernel_pa_offset)', 'W_NO_VA_KERNEL_PA_OFFSET', { vaKernelPaOffset: VA_KERNEL_PA_OFFSET }],
  ] as const)('without %s: makedumpfile\'s fallback, with %s', (key, code, expected) => {
    const { layout, warnings } = riscv64Layout(info(without(full, key)), LOADS);
    expect(warnings.map((w) => w.code)).toEqual([code]);
    expect(warnings[0]!.message).toContain(key);
    expect(layout).toMatchObject(expected);
  });

  it('without NUMBER(VMALLOC_START) (moved out of the riscv block in 6.x kernels that lack it): vmalloc starts at VMEMMAP_END', () => {
    const { layout, warnings } = riscv64Layout(info(without(full, 'NUMBER(VMALLOC_START)')), LOADS);
    expect(warnings.map((w) => w.code)).toEqual(['W_NO_VMALLOC_START']);
    expect(layout.walked[0]).toEqual({ start: 0xff20000000000000n, end: 0xff60000000000000n });
  });

  it.each(['NUMBER(VA_BITS)', 'NUMBER(PAGE_OFFSET)', 'NUMBER(VMEMMAP_START)', 'NUMBER(MODULES_END)', 'NUMBER(KERNEL_LINK_ADDR)', 'NUMBER(VMALLOC_END)', 'SYMBOL(swapper_pg_dir)'])('without %s: refused, naming the key', (key) => {
    expect(() => riscv64Layout(info(without(full, key)), LOADS)).toThrow(expect.objectContaining({ code: 'E_BAD_VMCOREINFO', message: expect.stringContaining(key) }));
  });

  it('refuses va_kernel_pa_offset missing with no PT_LOAD over _stext, and a VA_BITS that is no paging mode', () => {
    expect(() => riscv64Layout(info(without(full, 'NUMBER(va_kernel_pa_offset)')), LOADS.slice(1))).toThrow(expect.objectContaining({ code: 'E_BAD_VMCOREINFO', message: expect.stringContaining('va_kernel_pa_offset') }));
    expect(() => riscv64Layout(info([...without(full, 'NUMBER(VA_BITS)'), 'NUMBER(VA_BITS)=40']), LOADS)).toThrow(expect.objectContaining({ code: 'E_BAD_VMCOREINFO', message: expect.stringContaining('Sv39, Sv48 or Sv57') }));
  });

  it("the kdump header's phys_base is phys_ram_base, else makedumpfile's 0x80200000", () => {
    expect(RISCV64.headerPhysBase({ vmcoreinfo: info(full), loads: LOADS, pageSize: 4096 })).toBe(0x80000000n);
    expect(RISCV64.headerPhysBase({ vmcoreinfo: info(without(full, 'NUMBER(phys_ram_base)')), loads: LOADS, pageSize: 4096 })).toBe(0x80200000n);
  });

  it('decodes NT_PRSTATUS: pc, then x1–x31 by their ABI names', () => {
    const desc = new Uint8Array(376);
    const v = new DataView(desc.buffer);
    v.setInt32(32, 7, true);
    for (let i = 0; i < 32; i++) v.setBigUint64(112 + i * 8, BigInt(i + 1), true);
    const r = RISCV64.decodePrstatus(desc, 0)!;
    expect(r.pid).toBe(7);
    expect(Object.keys(r.registers)).toEqual(['pc', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6']);
    expect(r.registers.t6).toBe('0x0000000000000020');
    expect(RISCV64.decodePrstatus(desc.subarray(0, 300), 0)).toBeUndefined();
  });
});
