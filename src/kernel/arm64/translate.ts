import type { DumpWarning } from '../../api-types.js';
import { VmsieveError } from '../../errors.js';
import type { KernelTranslator, PhysReader, PhysRun, TranslatorInput } from '../../model/architecture.js';
import { arm64Layout, descriptorOutputAddress, levelIndexBits, levelShift, rootTablePhys, type Arm64Layout } from './layout.js';
import { arm64TablePages } from './table-pages.js';

/** Page-table granules kept: 16 MiB, the whole vmemmap's tables of a 128 GiB machine with 4 KiB pages twice over. */
const TABLE_CACHE_BYTES = 16 * 1024 * 1024;

const u64 = (v: bigint) => BigInt.asUintN(64, v);
const bit = (n: number) => 1n << BigInt(n);

/**
 * Kernel virtual → physical on arm64 by walking swapper_pg_dir as the MMU does (makedumpfile's
 * vaddr_to_paddr_arm64 walks every address this way, linear-map ones included). Descriptor bits [1:0]: 0b01 above
 * the last level is a block (1 GiB / 2 MiB with 4 KiB pages, 32 MiB with 16 KiB, 512 MiB with 64 KiB), 0b11 a table;
 * at the last level bit 0 marks a valid page.
 */
export class Arm64Translator implements KernelTranslator {
  private readonly tables = new Map<bigint, BigUint64Array>();
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
      const entry = await this.entry(table, index);
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
    return arm64TablePages(this.readPhys, this.layout);
  }

  /** Entry `index` of the table at `tablePhys`, reading and caching whole granules. */
  private async entry(tablePhys: bigint, index: number): Promise<bigint> {
    const granule = bit(this.layout.pageShift);
    const at = tablePhys + BigInt(index * 8);
    const page = at & ~(granule - 1n);
    let t = this.tables.get(page);
    if (!t) {
      const bytes = await this.readPhys(Number(page), Number(granule));
      t = new BigUint64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      if (this.tables.size * Number(granule) >= TABLE_CACHE_BYTES) this.tables.clear();
      this.tables.set(page, t);
    }
    return t[Number(at - page) / 8];
  }
}
