import type { DumpWarning } from '../../api-types.js';
import { VmsieveError } from '../../errors.js';
import type { KernelTranslator, PhysReader, PhysRun, TranslatorInput } from '../../model/architecture.js';
import { directPhys, imagePhys, riscv64Layout, type Riscv64Layout } from './layout.js';
import { reachableTables, TableCache } from '../page-tables.js';
import { entryPhys, isLeaf, leafShift, levelShift, TABLE_BYTES, tableIndex, VALID } from './page-entry.js';

const u64 = (v: bigint) => BigInt.asUintN(64, v);
const hex = (v: bigint) => `0x${v.toString(16)}`;

/**
 * Kernel virtual → physical on riscv64 as makedumpfile's vaddr_to_paddr_riscv64 (with its fixes 998b137 and
 * 863e2c4): linear-map and kernel-image addresses by offset, the rest (vmalloc, vmemmap, modules) by walking
 * swapper_pg_dir, where an entry with R, W or X set is a leaf at whatever level it sits.
 */
export class Riscv64Translator implements KernelTranslator {
  private readonly tables: TableCache;
  private readonly root: bigint;
  readonly physBase: bigint;
  readonly levels: number;
  readonly maxPhysmemBits: number;
  readonly sectionSizeBits: number;

  constructor(
    private readonly readPhys: PhysReader,
    readonly layout: Riscv64Layout,
    readonly warnings: readonly DumpWarning[] = [],
  ) {
    this.root = imagePhys(layout, layout.swapperPgDir);
    this.tables = new TableCache(readPhys, TABLE_BYTES);
    this.physBase = layout.physRamBase;
    this.levels = layout.levels;
    this.maxPhysmemBits = layout.maxPhysmemBits;
    this.sectionSizeBits = layout.sectionSizeBits;
  }

  static open({ info, loads, readPhys }: TranslatorInput): Riscv64Translator {
    const { layout, warnings } = riscv64Layout(info, loads);
    return new Riscv64Translator(readPhys, layout, warnings);
  }

  async toPhys(vaddr: bigint): Promise<number> {
    return (await this.toPhysRun(vaddr)).phys;
  }

  async toPhysRun(vaddr: bigint): Promise<PhysRun> {
    const va = u64(vaddr);
    const direct = directPhys(this.layout, va);
    // The offset mappings run on to the end of the 64-bit space; readers stop at the dump's end anyway.
    if (direct !== undefined) return { phys: Number(direct), bytes: Number((1n << 64n) - va) };
    let table = this.root;
    for (let level = this.levels - 1; level >= 0; level--) {
      const entry = await this.tables.entry(table, tableIndex(va, level));
      if ((entry & VALID) === 0n)
        throw new VmsieveError('E_TRANSLATE', `kernel address ${hex(va)} is not mapped (no valid entry at the level mapping bit ${levelShift(level)})`, { vaddr: hex(va) });
      if (isLeaf(entry)) {
        const span = (1n << BigInt(leafShift(entry, level))) - 1n;
        return { phys: Number((entryPhys(entry) & ~span) + (va & span)), bytes: Number(span + 1n - (va & span)) };
      }
      if (level === 0)
        throw new VmsieveError('E_TRANSLATE', `kernel address ${hex(va)} is not mapped (its last-level entry ${hex(entry)} is not a leaf)`, { vaddr: hex(va) });
      table = entryPhys(entry);
    }
    throw new Error('unreachable');
  }

  kernelTablePages(): Promise<bigint[]> {
    return reachableTables(this.readPhys, {
      root: this.root,
      levels: this.levels,
      tableBytes: () => TABLE_BYTES,
      next: (e) => ((e & VALID) !== 0n && !isLeaf(e) ? entryPhys(e) : undefined),
    });
  }
}
