import type { DumpWarning } from '../../api-types.js';
import { VmsieveError } from '../../errors.js';
import type { KernelTranslator, PhysReader, PhysRun, TranslatorInput } from '../../model/architecture.js';
import { arm64Layout, descriptorOutputAddress, levelIndexBits, levelShift, rootTablePhys, type Arm64Layout } from './layout.js';
import { reachableTables, TableCache } from '../page-tables.js';
import { arm64TableWalk } from './table-pages.js';

const u64 = (v: bigint) => BigInt.asUintN(64, v);
const bit = (n: number) => 1n << BigInt(n);

/**
 * Kernel virtual → physical on arm64 by walking swapper_pg_dir as the MMU does (makedumpfile's
 * vaddr_to_paddr_arm64 walks every address this way, linear-map ones included). Descriptor bits [1:0]: 0b01 above
 * the last level is a block (1 GiB / 2 MiB with 4 KiB pages, 32 MiB with 16 KiB, 512 MiB with 64 KiB), 0b11 a table;
 * at the last level bit 0 marks a valid page.
 */
export class Arm64Translator implements KernelTranslator {
  private readonly tables: TableCache;
  private readonly root: bigint;
  private readonly outputAddress: (entry: bigint) => bigint;
  readonly physBase: bigint;
  readonly levels: number;
  readonly maxPhysmemBits: number;
  readonly sectionSizeBits: number;

  constructor(
    private readonly readPhys: PhysReader,
    readonly layout: Arm64Layout,
    readonly warnings: readonly DumpWarning[] = [],
  ) {
    this.root = rootTablePhys(layout);
    this.tables = new TableCache(readPhys, 2 ** layout.pageShift);
    this.outputAddress = descriptorOutputAddress(layout);
    this.physBase = BigInt.asIntN(64, layout.physOffset);
    this.levels = layout.levels;
    this.maxPhysmemBits = layout.maxPhysmemBits;
    this.sectionSizeBits = layout.sectionSizeBits;
  }

  static open({ info, loads, pageSize, readPhys }: TranslatorInput): Arm64Translator {
    const { layout, warnings } = arm64Layout(info, loads, pageSize);
    return new Arm64Translator(readPhys, layout, warnings);
  }

  async toPhys(vaddr: bigint): Promise<number> {
    return (await this.toPhysRun(vaddr)).phys;
  }

  async toPhysRun(vaddr: bigint): Promise<PhysRun> {
    const va = u64(vaddr);
    let table = this.root;
    for (let level = this.layout.levels - 1; level >= 0; level--) {
      const shift = levelShift(this.layout, level);
      const index = Number((va >> BigInt(shift)) & (bit(levelIndexBits(this.layout, level)) - 1n));
      const entry = await this.tables.entry(table, index);
      if ((entry & 1n) === 0n)
        throw new VmsieveError('E_TRANSLATE', `kernel address 0x${va.toString(16)} is not mapped (no valid descriptor at the level mapping bit ${shift})`, { vaddr: `0x${va.toString(16)}` });
      const out = this.outputAddress(entry);
      const span = bit(shift) - 1n;
      if (level === 0 || (entry & 2n) === 0n) return { phys: Number((out & ~span) + (va & span)), bytes: Number(span + 1n - (va & span)) };
      table = out;
    }
    throw new Error('unreachable');
  }

  kernelTablePages(): Promise<bigint[]> {
    return reachableTables(this.readPhys, arm64TableWalk(this.layout));
  }
}
