import type { DumpWarning } from '../../api-types.js';
import { VmsieveError, isVmsieveError } from '../../errors.js';
import type { LoadSegment } from '../../model/dump.js';
import type { KernelTranslator, PhysReader, PhysRun, TranslatorInput } from '../../model/architecture.js';
import type { VmcoreInfo } from '../../model/vmcoreinfo.js';
import { FIRST_WALKABLE_KERNEL, PAGE_PRESENT, PAGE_PTE, TABLE_FLAG_BITS, levelShifts, ppc64Layout, rpnMask, tableIndexBits, type Ppc64Layout } from './layout.js';
import { readKernelTables, type KernelTables } from './kernel-tables.js';
import { ppc64TablePages } from './table-pages.js';

/** Page-table pages kept: 16 MiB, as on the other architectures. */
const TABLE_CACHE_BYTES = 16 * 1024 * 1024;

const u64 = (v: bigint) => BigInt.asUintN(64, v);
const hex = (v: bigint) => `0x${v.toString(16)}`;
const notMapped = (va: bigint, why: string) => new VmsieveError('E_TRANSLATE', `kernel address ${hex(va)} is not mapped (${why})`, { vaddr: hex(va) });

/**
 * Kernel virtual → physical on ppc64 (Book3S 64, hash or radix MMU), in makedumpfile's order (vaddr_to_paddr_ppc64):
 * the vmemmap through the kernel's vmemmap_list; an address a PT_LOAD maps; below vmalloc_start, the linear map
 * (address − _stext); vmalloc addresses, and the vmemmap when vmemmap_list is empty, by walking swapper_pg_dir.
 * What needs kernel memory (vmalloc_start, vmemmap_list, the MMU type) is read on the first translation.
 */
export class Ppc64Translator implements KernelTranslator {
  private readonly tables = new Map<bigint, DataView>();
  private kernel: Promise<KernelTables> | undefined;
  readonly physBase = 0n;
  /** Book3S 64 Linux tables have four levels with either MMU. */
  readonly levels = 4;
  readonly maxPhysmemBits: number;
  readonly sectionSizeBits: number;

  constructor(
    private readonly readPhys: PhysReader,
    private readonly info: VmcoreInfo,
    private readonly loads: readonly LoadSegment[],
    readonly layout: Ppc64Layout,
    readonly warnings: readonly DumpWarning[] = [],
  ) {
    this.maxPhysmemBits = layout.maxPhysmemBits;
    this.sectionSizeBits = layout.sectionSizeBits;
  }

  static open({ info, loads, pageSize, readPhys }: TranslatorInput): Ppc64Translator {
    const { layout, warnings } = ppc64Layout(info, pageSize);
    return new Ppc64Translator(readPhys, info, loads, layout, warnings);
  }

  async toPhys(vaddr: bigint): Promise<number> {
    return (await this.toPhysRun(vaddr)).phys;
  }

  async toPhysRun(vaddr: bigint): Promise<PhysRun> {
    const va = u64(vaddr);
    const k = await this.kernelTables();
    if (k.vmemmap && va >= k.vmemmap.start) {
      if (k.vmemmap.blocks.size === 0) return this.walk(va, k.radix);
      const block = va & ~(k.vmemmap.blockSize - 1n);
      const phys = k.vmemmap.blocks.get(block);
      if (phys === undefined) throw notMapped(va, 'no vmemmap_list entry holds it');
      return { phys: Number(phys + (va - block)), bytes: Number(block + k.vmemmap.blockSize - va) };
    }
    const load = this.loadRun(va);
    if (load) return load;
    if (va < k.vmallocStart || (k.vmallocStart === 0n && this.inLinearMap(va))) return this.linearRun(va, k.vmallocStart);
    // Without vmalloc_start makedumpfile takes every address as a linear one; past the linear map only a walk can
    // find it (the vmemmap of a radix kernel with an empty vmemmap_list).
    return this.walk(va, k.radix);
  }

  kernelTablePages(): Promise<bigint[]> {
    return this.kernelTables().then((k) => {
      this.requireWalkable();
      return ppc64TablePages(this.readPhys, this.layout, k.radix, this.linear(this.layout.swapperPgDir).phys);
    });
  }

  private kernelTables(): Promise<KernelTables> {
    this.kernel ??= readKernelTables(this.info, this.layout, {
      read: (va, length) => this.readPhys(this.linear(va).phys, length),
      mapsLinearMap: (radix) => this.walk(this.layout.kernelStart, radix).then(
        (r) => r.phys === this.linear(this.layout.kernelStart).phys,
        (e) => {
          if (isVmsieveError(e)) return false;
          throw e;
        },
      ),
    });
    return this.kernel;
  }

  /** Kernel data and page tables: a PT_LOAD's own mapping, else the linear map (makedumpfile: vaddr_to_paddr_general, then vaddr − kernel_start). */
  private linear(va: bigint): PhysRun {
    return this.loadRun(va) ?? this.linearRun(va, 0n);
  }

  /** The linear map, up to vmalloc_start (or its end). */
  private linearRun(va: bigint, vmallocStart: bigint): PhysRun {
    if (!this.inLinearMap(va)) throw notMapped(va, 'below the linear map or past MAX_PHYSMEM_BITS');
    const phys = va - this.layout.kernelStart;
    const end = vmallocStart === 0n ? this.layout.kernelStart + (1n << BigInt(this.layout.maxPhysmemBits)) : vmallocStart;
    return { phys: Number(phys), bytes: Number(end - va) };
  }

  private loadRun(va: bigint): PhysRun | undefined {
    for (const l of this.loads) {
      const size = BigInt(l.physEnd - l.physStart);
      if (l.virtStart !== 0n && va >= l.virtStart && va < l.virtStart + size) return { phys: l.physStart + Number(va - l.virtStart), bytes: Number(l.virtStart + size - va) };
    }
    return undefined;
  }

  private inLinearMap(va: bigint): boolean {
    return va >= this.layout.kernelStart && va - this.layout.kernelStart < 1n << BigInt(this.layout.maxPhysmemBits);
  }

  private requireWalkable(): void {
    if (this.layout.kernelVersion < FIRST_WALKABLE_KERNEL)
      throw new VmsieveError('E_UNSUPPORTED', 'ppc64 page tables of kernels before 4.11 (another entry format) are not read: vmalloc addresses cannot be translated');
  }

  /** makedumpfile's ppc64_vtop_level4: big-endian entries; an upper-level entry with PAGE_PTE maps a huge page. */
  private async walk(va: bigint, radix: boolean): Promise<PhysRun> {
    this.requireWalkable();
    const bits = tableIndexBits(this.layout, radix);
    const shifts = levelShifts(bits, this.layout.pageShift);
    let table = BigInt(this.linear(this.layout.swapperPgDir).phys);
    for (let level = 0; level < bits.length; level++) {
      const entry = await this.entry(table, (va >> BigInt(shifts[level])) & ((1n << BigInt(bits[level])) - 1n));
      const last = level === bits.length - 1;
      if (entry === 0n || (last && (entry & PAGE_PRESENT) === 0n)) throw notMapped(va, `no entry at the level mapping bit ${shifts[level]}`);
      if (last || (entry & PAGE_PTE) !== 0n) {
        const within = va & ((1n << BigInt(shifts[level])) - 1n);
        return { phys: Number((entry & rpnMask(this.layout.pageShift)) + within), bytes: Number((1n << BigInt(shifts[level])) - within) };
      }
      table = entry & ~TABLE_FLAG_BITS;
    }
    throw new Error('unreachable');
  }

  /** Entry `index` of the table at `tablePhys`, reading and caching whole pages. */
  private async entry(tablePhys: bigint, index: bigint): Promise<bigint> {
    const pageBytes = 1n << BigInt(this.layout.pageShift);
    const at = tablePhys + index * 8n;
    const page = at & ~(pageBytes - 1n);
    if (page >= 1n << BigInt(this.layout.maxPhysmemBits)) throw notMapped(at, 'a table entry past MAX_PHYSMEM_BITS');
    let t = this.tables.get(page);
    if (!t) {
      const bytes = await this.readPhys(Number(page), Number(pageBytes));
      t = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (this.tables.size * Number(pageBytes) >= TABLE_CACHE_BYTES) this.tables.clear();
      this.tables.set(page, t);
    }
    return t.getBigUint64(Number(at - page), false);
  }
}
