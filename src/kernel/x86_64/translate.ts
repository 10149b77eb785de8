import type { DumpWarning } from '../../api-types.js';
import { VmsieveError } from '../../errors.js';
import type { LoadSegment } from '../../model/dump.js';
import type { KernelTranslator, PhysReader, PhysRun, TranslatorInput } from '../../model/architecture.js';
import type { VmcoreInfo } from '../../model/vmcoreinfo.js';
import { ENTRY_ADDR_MASK, PRESENT, PSE, TABLE_BYTES } from './page-entry.js';
import { reachableTables, TableCache } from '../page-tables.js';
import { x86_64TableWalk } from './table-pages.js';

export const START_KERNEL_MAP = 0xffffffff80000000n;

export interface X86_64Paging {
  rootTablePhys: bigint;
  levels: 4 | 5;
  physBase: bigint;
  smeMask: bigint;
  /** Direct-map base taken from the PT_LOADs, when they show one; otherwise every address is walked. */
  pageOffset: bigint | undefined;
}

export function x86_64Paging(loads: readonly LoadSegment[], info: VmcoreInfo): X86_64Paging {
  const root = info.symbol('init_top_pgt') ?? info.symbol('init_level4_pgt');
  if (root === undefined)
    throw new VmsieveError('E_BAD_VMCOREINFO', 'VMCOREINFO has neither SYMBOL(init_top_pgt) nor SYMBOL(init_level4_pgt): kernel addresses cannot be translated');
  const physBase = info.number('phys_base') ?? physBaseFromText(loads);
  const levels = (info.number('pgtable_l5_enabled') ?? 0n) !== 0n ? 5 : 4;
  const smeMask = info.number('sme_mask') ?? 0n;
  return { rootTablePhys: root - START_KERNEL_MAP + physBase, levels, physBase, smeMask, pageOffset: pageOffsetFromLoads(loads) };
}

function physBaseFromText(loads: readonly LoadSegment[]): bigint {
  const text = loads.find((l) => l.virtStart >= START_KERNEL_MAP);
  if (!text) throw new VmsieveError('E_BAD_VMCOREINFO', 'no NUMBER(phys_base) in VMCOREINFO and no kernel-text PT_LOAD to derive it from');
  return BigInt(text.physStart) - (text.virtStart & ~START_KERNEL_MAP);
}

/** makedumpfile's rule: p_vaddr - p_paddr of the last PT_LOAD mapped below the kernel text; QEMU dumps (vaddr 0) have none. */
function pageOffsetFromLoads(loads: readonly LoadSegment[]): bigint | undefined {
  let found: bigint | undefined;
  for (const l of loads) {
    if (l.virtStart !== 0n && l.virtStart < START_KERNEL_MAP) found = l.virtStart - BigInt(l.physStart);
  }
  return found;
}

const u64 = (v: bigint) => BigInt.asUintN(64, v);

/** Kernel virtual → physical by walking the page tables in the dump, as the MMU would. */
export class X86_64Translator implements KernelTranslator {
  private readonly tables: TableCache;
  private readonly maxPhys: bigint;
  readonly physBase: bigint;
  readonly levels: number;
  readonly warnings: readonly DumpWarning[] = [];
  readonly maxPhysmemBits: number | undefined;
  readonly sectionSizeBits: number | undefined;

  constructor(
    private readonly readPhys: PhysReader,
    loads: readonly LoadSegment[],
    info: VmcoreInfo,
    readonly paging: X86_64Paging = x86_64Paging(loads, info),
  ) {
    this.maxPhys = BigInt(Math.max(...loads.map((l) => l.physEnd)));
    this.tables = new TableCache(readPhys, TABLE_BYTES);
    this.physBase = paging.physBase;
    this.levels = paging.levels;
    const bits = (key: string) => {
      const v = info.number(key);
      return v === undefined ? undefined : Number(v);
    };
    this.maxPhysmemBits = bits('MAX_PHYSMEM_BITS');
    this.sectionSizeBits = bits('SECTION_SIZE_BITS');
  }

  static open({ info, loads, readPhys }: TranslatorInput): X86_64Translator {
    return new X86_64Translator(readPhys, loads, info);
  }

  async toPhys(vaddr: bigint): Promise<number> {
    return (await this.toPhysRun(vaddr)).phys;
  }

  async toPhysRun(vaddr: bigint): Promise<PhysRun> {
    const va = u64(vaddr);
    const { pageOffset } = this.paging;
    if (pageOffset !== undefined && va >= pageOffset && va - pageOffset < this.maxPhys && va < START_KERNEL_MAP)
      return { phys: Number(va - pageOffset), bytes: Number(this.maxPhys - (va - pageOffset)) };
    const mask = ENTRY_ADDR_MASK & ~this.paging.smeMask;
    let table = this.paging.rootTablePhys;
    const shifts = this.paging.levels === 5 ? [48n, 39n, 30n, 21n, 12n] : [39n, 30n, 21n, 12n];
    for (const shift of shifts) {
      const entry = await this.tables.entry(table, Number((va >> shift) & 511n));
      if ((entry & PRESENT) === 0n)
        throw new VmsieveError('E_TRANSLATE', `kernel address 0x${va.toString(16)} is not mapped (level for bit ${shift} not present)`, { vaddr: `0x${va.toString(16)}` });
      const base = entry & mask;
      const leaf = shift === 12n || ((shift === 30n || shift === 21n) && (entry & PSE) !== 0n);
      if (leaf) {
        const size = 1n << shift;
        const within = va & (size - 1n);
        return { phys: Number((base & ~(size - 1n)) + within), bytes: Number(size - within) };
      }
      table = base;
    }
    throw new Error('unreachable');
  }

  kernelTablePages(): Promise<bigint[]> {
    return reachableTables(this.readPhys, x86_64TableWalk(this.paging, this.maxPhys));
  }
}
