// ppc64 address translation on hand-built kernel memory: the page-table walk for each layout makedumpfile knows
// (radix and hash, 64 KiB and 4 KiB pages, the hash tables before and after 4.17), big-endian entries, huge pages
// mapped from an upper level; vmemmap_list; the linear map; vmalloc_start from vmap_area_list; the MMU found from
// NUMBER(RADIX_MMU), cur_cpu_spec or the tables themselves; and makedumpfile's fallbacks for missing keys.
import { describe, expect, it } from 'vitest';
import { PPC64 } from '../../src/kernel/ppc64/arch.js';
import type { LoadSegment } from '../../src/model/dump.js';
import { VmcoreInfo } from '../../src/model/vmcoreinfo.js';

const KERNEL = 0xc000000000000000n;
const VMALLOC = 0xc008000000000000n;
const VMEMMAP = 0xc00c000000000000n;
const VALID = 1n << 63n;
const LEAF = 1n << 62n;

/** Sparse physical memory: kernel data little-endian, page-table entries big-endian (as on Book3S since 4.7). */
class Memory {
  private readonly bytes = new Map<number, Uint8Array>();
  private next = 0x1000000n;
  private page(pa: number): [DataView, number] {
    const base = pa - (pa % 4096);
    let p = this.bytes.get(base);
    if (!p) this.bytes.set(base, (p = new Uint8Array(4096)));
    return [new DataView(p.buffer), pa - base];
  }
  u64(pa: bigint, v: bigint, bigEndian = false) {
    const [view, at] = this.page(Number(pa));
    view.setBigUint64(at, v, !bigEndian);
  }
  u32(pa: bigint, v: number) {
    const [view, at] = this.page(Number(pa));
    view.setUint32(at, v, true);
  }
  alloc(bytes: number): bigint {
    const at = this.next;
    this.next += BigInt(Math.max(bytes, 4096));
    return at;
  }
  read = async (pa: number, length: number): Promise<Uint8Array> => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const [view, at] = this.page(pa + i);
      out[i] = view.getUint8(at);
    }
    return out;
  };
}

interface Shape {
  name: string;
  pageSize: number;
  release: string;
  radix: boolean;
  /** Index bits, root first, as makedumpfile.h has them. */
  bits: [number, number, number, number];
}

const SHAPES: Shape[] = [
  { name: 'radix, 64 KiB', pageSize: 65536, release: '6.1.0-57-powerpc64le', radix: true, bits: [13, 9, 9, 5] },
  { name: 'radix, 4 KiB', pageSize: 4096, release: '5.14.0-427.el9.ppc64le', radix: true, bits: [13, 9, 9, 9] },
  { name: 'hash, 64 KiB, 4.17+', pageSize: 65536, release: '4.18.0-553.el8.ppc64le', radix: false, bits: [8, 10, 10, 8] },
  { name: 'hash, 64 KiB, 4.12-4.16', pageSize: 65536, release: '4.14.0-115.el7a.ppc64le', radix: false, bits: [8, 7, 10, 8] },
  { name: 'hash, 4 KiB', pageSize: 4096, release: '5.10.0-28-powerpc64le', radix: false, bits: [9, 9, 7, 9] },
];

const SWAPPER = KERNEL + 0x100000n;
const VMAP_AREA_LIST = KERNEL + 0x200000n;
const FIRST_AREA = KERNEL + 0x210000n;

/** Page tables of `shape` with the given leaves: [va, pa, level] (level 3 maps a page, 1 and 2 a huge page). */
function buildTables(mem: Memory, shape: Shape, leaves: Array<[bigint, bigint, number]>) {
  const shift: number[] = [];
  let s = Math.log2(shape.pageSize);
  for (let i = 3; i >= 0; i--) {
    shift[i] = s;
    s += shape.bits[i];
  }
  const root = SWAPPER - KERNEL;
  const tables = new Map<string, bigint>([['', root]]);
  for (const [va, pa, level] of leaves) {
    let table = root;
    let path = '';
    for (let l = 0; l <= level; l++) {
      const index = (va >> BigInt(shift[l])) & ((1n << BigInt(shape.bits[l])) - 1n);
      const at = table + index * 8n;
      if (l === level) {
        mem.u64(at, pa | VALID | LEAF | 0x10en, true);
        break;
      }
      path += `/${index}`;
      let next = tables.get(path);
      if (next === undefined) {
        next = mem.alloc(8 << shape.bits[l + 1]);
        tables.set(path, next);
        // The next table's address plus flag bits (the radix MMU's next-level size in the low bits).
        mem.u64(at, next | VALID | BigInt(shape.bits[l + 1]), true);
      }
      table = next;
    }
  }
  return [...tables.values()];
}

function vmcoreinfo(shape: Shape, extra: string[] = []) {
  return new VmcoreInfo(
    [
      `OSRELEASE=${shape.release}`,
      `PAGESIZE=${shape.pageSize}`,
      `SYMBOL(_stext)=${KERNEL.toString(16)}`,
      `SYMBOL(swapper_pg_dir)=${SWAPPER.toString(16)}`,
      `SYMBOL(vmap_area_list)=${VMAP_AREA_LIST.toString(16)}`,
      'OFFSET(list_head.next)=0',
      'OFFSET(vmap_area.va_start)=0',
      'OFFSET(vmap_area.list)=40',
      'NUMBER(SECTION_SIZE_BITS)=24',
      'NUMBER(MAX_PHYSMEM_BITS)=51',
      ...extra,
      '',
    ].join('\n'),
  );
}

function kernelData(mem: Memory) {
  mem.u64(VMAP_AREA_LIST - KERNEL, FIRST_AREA + 40n);
  mem.u64(FIRST_AREA - KERNEL, VMALLOC);
}

const open = (mem: Memory, info: VmcoreInfo, pageSize: number, loads: LoadSegment[] = []) => PPC64.openTranslator({ info, loads, pageSize, readPhys: mem.read });

describe('ppc64 page-table walks', () => {
  it.each(SHAPES.map((s) => [s.name, s] as const))('%s: pages, huge pages from the pmd and pud levels, unmapped addresses', async (_n, shape) => {
    const mem = new Memory();
    kernelData(mem);
    const page = BigInt(shape.pageSize);
    const pmdSpan = 1n << BigInt(Math.log2(shape.pageSize) + shape.bits[3]);
    const pudSpan = pmdSpan << BigInt(shape.bits[2]);
    const tables = buildTables(mem, shape, [
      [VMALLOC + 5n * page, 0x5000000n, 3],
      [VMALLOC + pudSpan, 0x40000000n, 2],
      [VMALLOC + 4n * pudSpan, 0x80000000n, 1],
    ]);
    const t = open(mem, vmcoreinfo(shape, [`NUMBER(RADIX_MMU)=${shape.radix ? 1 : 0}`]), shape.pageSize);
    expect(await t.toPhysRun(VMALLOC + 5n * page + 0x123n)).toEqual({ phys: 0x5000123, bytes: shape.pageSize - 0x123 });
    expect(await t.toPhysRun(VMALLOC + pudSpan + pmdSpan - 8n)).toEqual({ phys: 0x40000000 + Number(pmdSpan) - 8, bytes: 8 });
    expect(await t.toPhys(VMALLOC + 4n * pudSpan + 3n * page)).toBe(0x80000000 + 3 * shape.pageSize);
    await expect(t.toPhys(VMALLOC + 6n * page)).rejects.toMatchObject({ code: 'E_TRANSLATE' });
    await expect(t.toPhys(VMALLOC + 2n * pudSpan)).rejects.toMatchObject({ code: 'E_TRANSLATE' });
    // Below vmalloc_start the linear map needs no tables.
    expect(await t.toPhysRun(KERNEL + 0x1234n)).toEqual({ phys: 0x1234, bytes: Number(VMALLOC - KERNEL - 0x1234n) });
    expect(new Set(await t.kernelTablePages())).toEqual(new Set(tables));
  });

  it('without NUMBER(RADIX_MMU): cur_cpu_spec->mmu_features says radix, as makedumpfile reads it', async () => {
    const shape = SHAPES[0];
    const mem = new Memory();
    kernelData(mem);
    buildTables(mem, shape, [[VMALLOC, 0x5000000n, 3]]);
    const curCpuSpec = KERNEL + 0x220000n;
    mem.u64(curCpuSpec - KERNEL, KERNEL + 0x230000n);
    mem.u32(0x230000n + 24n, 0x40);
    const t = open(mem, vmcoreinfo(shape, [`SYMBOL(cur_cpu_spec)=${curCpuSpec.toString(16)}`, 'OFFSET(cpu_spec.mmu_features)=24']), shape.pageSize);
    expect(await t.toPhys(VMALLOC)).toBe(0x5000000);
  });

  it.each([true, false])('without NUMBER(RADIX_MMU) or cur_cpu_spec: radix (%s) is whether swapper_pg_dir maps the linear map', async (radix) => {
    const shape = radix ? SHAPES[0] : SHAPES[2];
    const mem = new Memory();
    kernelData(mem);
    const leaves: Array<[bigint, bigint, number]> = [[VMALLOC, 0x5000000n, 3]];
    // A radix kernel maps its linear map in swapper_pg_dir (here with a huge page); the hash MMU keeps it in the HPT.
    if (radix) leaves.push([KERNEL, 0n, 1]);
    buildTables(mem, shape, leaves);
    const t = open(mem, vmcoreinfo(shape), shape.pageSize);
    expect(await t.toPhys(VMALLOC)).toBe(0x5000000);
  });

  it('NUMBER(VMALLOC_START) (6.9+, which has no vmap_area_list) says where vmalloc starts; without it or a vmalloc area, past the linear map is walked', async () => {
    const shape = SHAPES[0];
    const mem = new Memory();
    buildTables(mem, shape, [[VMALLOC, 0x5000000n, 3], [VMEMMAP, 0x6000000n, 2]]);
    const noList = (extra: string[]) => new VmcoreInfo(vmcoreinfo(shape, extra).raw.replace(/^.*vmap_area.*\n/gm, ''));
    // A vmalloc_start inside the linear map's range: above it, addresses are walked (and this one is not mapped).
    const t = open(mem, noList(['NUMBER(RADIX_MMU)=1', `NUMBER(VMALLOC_START)=0x${(KERNEL + 0x40000000n).toString(16)}`]), shape.pageSize);
    expect(await t.toPhys(VMALLOC)).toBe(0x5000000);
    expect(await t.toPhysRun(KERNEL + 0x10n)).toEqual({ phys: 0x10, bytes: 0x40000000 - 0x10 });
    await expect(t.toPhys(KERNEL + 0x50000000n)).rejects.toMatchObject({ code: 'E_TRANSLATE' });
    // An empty vmap_area_list points at itself: no vmalloc_start, so the linear map runs to MAX_PHYSMEM_BITS and
    // the vmemmap of a radix kernel with an empty vmemmap_list (6.6+) is walked.
    mem.u64(VMAP_AREA_LIST - KERNEL, VMAP_AREA_LIST);
    mem.u64(VMAP_AREA_LIST - KERNEL - 40n, KERNEL + 0x1000n);
    const empty = open(mem, vmcoreinfo(shape, ['NUMBER(RADIX_MMU)=1']), shape.pageSize);
    expect(await empty.toPhysRun(KERNEL + 0x10n)).toEqual({ phys: 0x10, bytes: 2 ** 51 - 0x10 });
    expect(await empty.toPhys(VMEMMAP + 0x40n)).toBe(0x6000040);
    await expect(empty.toPhys(0x100n)).rejects.toMatchObject({ code: 'E_TRANSLATE' });
  });

  it('refuses page-table walks on kernels before 4.11 (another entry format), and still reads the linear map', async () => {
    const shape = { ...SHAPES[4], release: '3.10.0-1160.el7.ppc64le' };
    const mem = new Memory();
    kernelData(mem);
    const t = open(mem, vmcoreinfo(shape, ['NUMBER(RADIX_MMU)=0']), shape.pageSize);
    expect(await t.toPhys(KERNEL + 0x5000n)).toBe(0x5000);
    await expect(t.toPhys(VMALLOC)).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });
});

describe('ppc64 vmemmap, linear map and VMCOREINFO fallbacks', () => {
  const vmemmapKeys = (head: bigint) => [
    `SYMBOL(vmemmap_list)=${head.toString(16)}`,
    `SYMBOL(mmu_vmemmap_psize)=${(KERNEL + 0x240000n).toString(16)}`,
    `SYMBOL(mmu_psize_defs)=${(KERNEL + 0x240008n).toString(16)}`,
    'SIZE(vmemmap_backing)=24',
    'OFFSET(vmemmap_backing.list)=0',
    'OFFSET(vmemmap_backing.phys)=8',
    'OFFSET(vmemmap_backing.virt_addr)=16',
    'SIZE(mmu_psize_def)=96',
    'OFFSET(mmu_psize_def.shift)=0',
  ];

  it('vmemmap_list: each block where the kernel put it, nothing else', async () => {
    const shape = SHAPES[2];
    const mem = new Memory();
    kernelData(mem);
    const head = KERNEL + 0x250000n;
    // mmu_vmemmap_psize = 2; mmu_psize_defs[2].shift = 24 (16 MiB blocks, the hash MMU's vmemmap page size).
    mem.u32(0x240000n, 2);
    mem.u32(0x240008n + 2n * 96n, 24);
    const entries: Array<[bigint, bigint]> = [
      [VMEMMAP + 0x1000000n, 0x9000000n],
      [VMEMMAP, 0x7000000n],
    ];
    let at = head;
    entries.forEach(([virt, phys], i) => {
      const p = at - KERNEL;
      mem.u64(p, i + 1 < entries.length ? at + 24n : 0n);
      mem.u64(p + 8n, phys);
      mem.u64(p + 16n, virt);
      at += 24n;
    });
    mem.u64(head - KERNEL + 0x100000n, head);
    const t = open(mem, vmcoreinfo(shape, ['NUMBER(RADIX_MMU)=0', ...vmemmapKeys(head + 0x100000n)]), shape.pageSize);
    expect(await t.toPhysRun(VMEMMAP + 0x40n)).toEqual({ phys: 0x7000040, bytes: 0x1000000 - 0x40 });
    expect(await t.toPhys(VMEMMAP + 0x1fffff8n)).toBe(0x9fffff8);
    await expect(t.toPhys(VMEMMAP + 0x2000000n)).rejects.toMatchObject({ code: 'E_TRANSLATE' });
  });

  it('an address a PT_LOAD maps is translated by it, as makedumpfile does before the linear map', async () => {
    const shape = SHAPES[0];
    const mem = new Memory();
    kernelData(mem);
    const loads: LoadSegment[] = [{ physStart: 0x10000000, physEnd: 0x20000000, fileOffset: 0, fileSize: 0x10000000, virtStart: KERNEL + 0x30000000n, flags: 7 }];
    const t = open(mem, vmcoreinfo(shape, ['NUMBER(RADIX_MMU)=1']), shape.pageSize, loads);
    expect(await t.toPhysRun(KERNEL + 0x30000010n)).toEqual({ phys: 0x10000010, bytes: 0x10000000 - 0x10 });
    expect(await t.toPhys(KERNEL + 0x40000000n)).toBe(0x40000000);
  });

  it("MAX_PHYSMEM_BITS and SECTION_SIZE_BITS: makedumpfile's fallbacks, with a warning each", () => {
    const info = new VmcoreInfo(
      ['OSRELEASE=4.18.0-553.el8.ppc64le', 'PAGESIZE=65536', `SYMBOL(_stext)=${KERNEL.toString(16)}`, `SYMBOL(swapper_pg_dir)=${SWAPPER.toString(16)}`, 'SIZE(mem_section)=16', 'LENGTH(mem_section)=1024', ''].join('\n'),
    );
    const t = open(new Memory(), info, 65536);
    // 2^(46 - 24) sections, 4096 per 64 KiB root: 1024 roots is the 3.7-4.18 value.
    expect(t.maxPhysmemBits).toBe(46);
    expect(t.sectionSizeBits).toBe(24);
    expect(t.warnings.map((w) => w.code)).toEqual(['W_NO_SECTION_SIZE_BITS', 'W_NO_MAX_PHYSMEM_BITS']);
    expect(() => open(new Memory(), new VmcoreInfo(info.raw.replace('LENGTH(mem_section)=1024', 'LENGTH(mem_section)=7')), 65536)).toThrow(/MAX_PHYSMEM_BITS/);
    expect(() => open(new Memory(), new VmcoreInfo(info.raw.replace(/SYMBOL\(_stext\).*\n/, '')), 65536)).toThrow(/_stext/);
    expect(() => open(new Memory(), info, 16384)).toThrow(/16384-byte pages/);
  });
});
