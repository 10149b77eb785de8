import type { DumpWarning } from '../../api-types.js';
import { VmsieveError } from '../../errors.js';
import { Fields } from '../../model/byte-order.js';
import type { KernelTranslator, PhysReader, PhysRun, TranslatorInput } from '../../model/architecture.js';
import type { LoadSegment } from '../../model/dump.js';
import type { VmcoreInfo } from '../../model/vmcoreinfo.js';
import { s390xSparseBits } from './layout.js';
import { s390xTablePages } from './table-pages.js';
import { REGION3_LEVEL, ROOT_TABLE_BYTES, S390X_BYTE_ORDER, SEGMENT_LEVEL, TABLE_BYTES, entryLevel, entryTableLength, isInvalid, isLarge, pteInvalid, regionOrigin, reservedBits, segmentOrigin } from './table-entry.js';

/** The lowcore (prefix area) of absolute storage: addresses below it are never translated. */
const LOWCORE_SIZE = 0x2000n;
/** Where the lowcore keeps the physical address of struct os_info (0 before the kernel set it up). */
const LC_OS_INFO = 0xe18;
/** struct os_info: magic u64, csum u32, version u16 × 2, crashkernel addr and size u64; then packed {u64 val, u64 size, u32 csum} entries. */
const OS_INFO_ENTRIES_AT = 32;
const OS_INFO_ENTRY_BYTES = 20;
const OS_INFO_ENTRY_COUNT = 10;
const OS_INFO = { identityBase: 4, kaslrOffset: 5, kaslrOffsetPhys: 6, vmemmap: 7, amode31Start: 8, amode31End: 9 } as const;
/** Table pages kept: 16 MiB of region, segment and page tables. */
const TABLE_CACHE_BYTES = 16 * 1024 * 1024;

const u64 = (v: bigint) => BigInt.asUintN(64, v);
const hex = (v: bigint) => `0x${v.toString(16)}`;

/**
 * The kernel's own map of its address space, from os_info (Linux 6.10+, whose kernel image and identity map moved
 * away from 0: makedumpfile's "-vr kernel"), or the older layout where kernel addresses below high_memory are physical.
 */
type AddressSpace =
  | { kind: 'legacy'; directEnd: bigint }
  | { kind: 'relocated'; identityBase: bigint; kernelBase: bigint; kernelPhys: bigint; vmemmapStart: bigint; amode31Start: bigint; amode31End: bigint };

interface Root {
  space: AddressSpace;
  table: bigint;
  /** Level of the root table: 3 region-first … 1 region-third, 0 segment. */
  level: number;
}

/**
 * Kernel virtual → physical on s390x (z/Architecture DAT) as makedumpfile's arch/s390x.c translates: addresses in the
 * kernel's direct (identity) map arithmetically, the rest (vmalloc, the vmemmap) by walking swapper_pg_dir's region
 * tables (11 index bits each), segment table (1 MiB large pages) and page table (256 entries); region-third entries may
 * map 2 GiB at once. Entries are big-endian.
 */
export class S390xTranslator implements KernelTranslator {
  readonly physBase = 0n;
  readonly maxPhysmemBits: number | undefined;
  readonly sectionSizeBits: number;
  readonly warnings: readonly DumpWarning[];
  private readonly tables = new Map<bigint, Fields>();
  private root: Promise<Root> | undefined;
  private rootLevel: number | undefined;

  private constructor(
    private readonly info: VmcoreInfo,
    private readonly loads: readonly LoadSegment[],
    private readonly readPhys: PhysReader,
    pageSize: number,
  ) {
    const bits = s390xSparseBits(info, pageSize);
    this.maxPhysmemBits = bits.maxPhysmemBits;
    this.sectionSizeBits = bits.sectionSizeBits;
    this.warnings = bits.warnings;
  }

  static open({ info, loads, pageSize, readPhys }: TranslatorInput): S390xTranslator {
    if (info.symbol('swapper_pg_dir') === undefined)
      throw new VmsieveError('E_BAD_VMCOREINFO', 'VMCOREINFO lacks SYMBOL(swapper_pg_dir): s390x kernel addresses cannot be translated', { key: 'SYMBOL(swapper_pg_dir)' });
    return new S390xTranslator(info, loads, readPhys, pageSize);
  }

  /** Region levels above the segment table, plus the segment and page tables; known once a translation has been made. */
  get levels(): number {
    if (this.rootLevel === undefined) throw new Error('internal: s390x paging levels read before the first translation');
    return this.rootLevel + 2;
  }

  async toPhys(vaddr: bigint): Promise<number> {
    return (await this.toPhysRun(vaddr)).phys;
  }

  async toPhysRun(vaddr: bigint): Promise<PhysRun> {
    const va = u64(vaddr);
    const root = await this.rootOnce();
    return this.direct(va, root.space) ?? this.walk(va, root);
  }

  async kernelTablePages(): Promise<bigint[]> {
    const root = await this.rootOnce();
    return s390xTablePages(this.readPhys, root.table, root.level);
  }

  /** Addresses the kernel maps at a fixed offset: no table is read for them (makedumpfile's arithmetic cases). */
  private direct(va: bigint, s: AddressSpace): PhysRun | undefined {
    const run = (phys: bigint, end: bigint): PhysRun => ({ phys: Number(phys), bytes: Number(end - va) });
    if (s.kind === 'legacy') return va < s.directEnd ? run(va, s.directEnd) : undefined;
    if (va < LOWCORE_SIZE) return run(va, LOWCORE_SIZE);
    if (va >= s.amode31Start && va < s.amode31End) return run(va, s.amode31End);
    if (va < s.vmemmapStart) return va >= s.identityBase ? run(va - s.identityBase, s.vmemmapStart) : undefined;
    if (va >= s.kernelBase) return run(va - s.kernelBase + s.kernelPhys, 1n << 64n);
    return undefined;
  }

  private async walk(va: bigint, root: Root): Promise<PhysRun> {
    const fail = (why: string) => new VmsieveError('E_TRANSLATE', `kernel address ${hex(va)} is not mapped (${why})`, { vaddr: hex(va) });
    if (va >> BigInt(31 + 11 * root.level) !== 0n) throw fail(`beyond the ${root.level + 2}-level address space of swapper_pg_dir`);
    let table = root.table;
    let length = ROOT_TABLE_BYTES / TABLE_BYTES - 1;
    let entry = 0n;
    for (let level = root.level; level >= SEGMENT_LEVEL; level--) {
      const index = Number((va >> BigInt(20 + 11 * level)) & 0x7ffn);
      if (index * 8 >= (length + 1) * TABLE_BYTES) throw fail(`index ${index} past the end of a level-${level} table`);
      entry = await this.entry(table + BigInt(index * 8));
      if (reservedBits(entry, level) !== 0n)
        throw new VmsieveError('E_TRANSLATE', `kernel address ${hex(va)}: its level-${level} table entry ${hex(entry)} has reserved bits set: the page tables are corrupt`, { vaddr: hex(va) });
      if (isInvalid(entry)) throw fail(`invalid level-${level} entry ${hex(entry)}`);
      if (level === REGION3_LEVEL && isLarge(entry)) return this.leaf(va, entry & ~0x7fffffffn, 31);
      table = regionOrigin(entry);
      length = entryTableLength(entry);
    }
    if (isLarge(entry)) return this.leaf(va, entry & ~0xfffffn, 20);
    const pte = await this.entry(segmentOrigin(entry) + ((va >> 12n) & 0xffn) * 8n);
    if (pteInvalid(pte)) throw fail(`invalid page-table entry ${hex(pte)}`);
    return this.leaf(va, pte & ~0xfffn, 12);
  }

  private leaf(va: bigint, origin: bigint, shift: number): PhysRun {
    const span = (1n << BigInt(shift)) - 1n;
    return { phys: Number(origin + (va & span)), bytes: Number(span + 1n - (va & span)) };
  }

  private rootOnce(): Promise<Root> {
    this.root ??= this.findRoot().then((r) => {
      this.rootLevel = r.level;
      return r;
    });
    return this.root;
  }

  private async findRoot(): Promise<Root> {
    const space = await this.addressSpace();
    const pgd = this.info.symbol('swapper_pg_dir')!;
    const table = BigInt(this.direct(u64(pgd), space)?.phys ?? -1);
    if (table < 0n) throw new VmsieveError('E_TRANSLATE', `SYMBOL(swapper_pg_dir) ${hex(pgd)} is outside the kernel's directly mapped addresses`);
    const first = await this.entry(table);
    return { space, table, level: entryLevel(first) };
  }

  /** The address-space layout: os_info's entries when it names a KASLR offset, else the direct map up to high_memory. */
  private async addressSpace(): Promise<AddressSpace> {
    const os = await this.osInfoEntries();
    if (os && os[OS_INFO.kaslrOffset] !== 0n)
      return {
        kind: 'relocated',
        identityBase: os[OS_INFO.identityBase]!,
        kernelBase: os[OS_INFO.kaslrOffset]!,
        kernelPhys: os[OS_INFO.kaslrOffsetPhys]!,
        vmemmapStart: os[OS_INFO.vmemmap]!,
        amode31Start: os[OS_INFO.amode31Start]!,
        amode31End: os[OS_INFO.amode31End]!,
      };
    // makedumpfile: addresses from high_memory on (vmalloc, vmemmap) are walked; those below are physical. Without
    // SYMBOL(high_memory) only what its PT_LOADs map is, which on s390x is the same identity map.
    const highMemory = this.info.symbol('high_memory');
    const directEnd = highMemory !== undefined ? await this.readU64(highMemory) : BigInt(Math.max(...this.loads.map((l) => l.physEnd)));
    return { kind: 'legacy', directEnd };
  }

  /** os_info's entry values, or undefined when the lowcore has no os_info pointer. */
  private async osInfoEntries(): Promise<bigint[] | undefined> {
    const at = new Fields(await this.readPhys(LC_OS_INFO, 8), S390X_BYTE_ORDER).u64(0);
    if (at === 0n) return undefined;
    const os = new Fields(await this.readPhys(Number(at), OS_INFO_ENTRIES_AT + OS_INFO_ENTRY_COUNT * OS_INFO_ENTRY_BYTES), S390X_BYTE_ORDER);
    return Array.from({ length: OS_INFO_ENTRY_COUNT }, (_, i) => os.u64(OS_INFO_ENTRIES_AT + i * OS_INFO_ENTRY_BYTES));
  }

  /** A u64 of the direct map (high_memory is a kernel variable there, identity-mapped in the legacy layout). */
  private async readU64(va: bigint): Promise<bigint> {
    return new Fields(await this.readPhys(Number(va), 8), S390X_BYTE_ORDER).u64(0);
  }

  /** The big-endian table entry at physical `at`, reading and caching whole 4 KiB table pages. */
  private async entry(at: bigint): Promise<bigint> {
    const page = at & ~BigInt(TABLE_BYTES - 1);
    let t = this.tables.get(page);
    if (!t) {
      t = new Fields((await this.readPhys(Number(page), TABLE_BYTES)).slice(), S390X_BYTE_ORDER);
      if (this.tables.size * TABLE_BYTES >= TABLE_CACHE_BYTES) this.tables.clear();
      this.tables.set(page, t);
    }
    return t.u64(Number(at - page));
  }
}
