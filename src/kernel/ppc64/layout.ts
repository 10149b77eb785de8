import type { DumpWarning } from '../../api-types.js';
import { VmsieveError } from '../../errors.js';
import type { VmcoreInfo } from '../../model/vmcoreinfo.js';
import { kernelVersionCode, parseKernelVersion } from '../page-layout.js';

/**
 * The ppc64 (Book3S 64) kernel address space, resolved from VMCOREINFO as makedumpfile's arch/ppc64.c resolves it.
 * The linear map starts at _stext (0xc000000000000000); vmalloc and the vmemmap need the kernel's own tables.
 */
export interface Ppc64Layout {
  pageShift: number;
  kernelVersion: number;
  /** SYMBOL(_stext): makedumpfile's kernel_start, the base of the linear map. */
  kernelStart: bigint;
  swapperPgDir: bigint;
  maxPhysmemBits: number;
  sectionSizeBits: number;
  /** What NUMBER(RADIX_MMU) says; undefined when the kernel (before 6.7) does not export it. */
  radixFromInfo: boolean | undefined;
}

/**
 * Index bits of each table level, root first (pgd, pud, pmd, pte), per makedumpfile's ppc64_vmalloc_init.
 * The radix tree is fixed by the ISA; the hash MMU's Linux tables changed shape with 4.12 and 4.17.
 */
export function tableIndexBits(l: Ppc64Layout, radix: boolean): [number, number, number, number] {
  if (l.pageShift === 16) {
    if (radix) return [13, 9, 9, 5];
    if (l.kernelVersion >= kernelVersionCode(4, 17, 0)) return [8, 10, 10, 8];
    if (l.kernelVersion >= kernelVersionCode(4, 12, 0)) return [8, 7, 10, 8];
    return [12, 5, 5, 8];
  }
  return radix ? [13, 9, 9, 9] : [9, 9, 7, 9];
}

/** The lowest VA bit each level indexes, root first. */
export function levelShifts(bits: readonly number[], pageShift: number): number[] {
  const shifts: number[] = [];
  let s = pageShift;
  for (let i = bits.length - 1; i >= 0; i--) {
    shifts[i] = s;
    s += bits[i];
  }
  return shifts;
}

/** Since 4.7 the upper levels keep flag bits here (valid, leaf, the hash MMU's fragment size) around the table address. */
export const TABLE_FLAG_BITS = 0xc0000000000000ffn;
/** Set in a pgd/pud/pmd entry that maps a huge page itself instead of pointing at a table. */
export const PAGE_PTE = 1n << 62n;
/** _PAGE_PRESENT of a last-level entry since 4.6. */
export const PAGE_PRESENT = 1n << 63n;
/** The real page number of an entry since 4.11: bits below 53, above the page offset. */
export const rpnMask = (pageShift: number) => ((1n << 53n) - 1n) & ~((1n << BigInt(pageShift)) - 1n);
/**
 * The first kernel whose page tables walks here read: entries big-endian whatever the kernel's byte order (4.7),
 * the flag bits above (4.7) and the 53-bit real page number (4.11).
 */
export const FIRST_WALKABLE_KERNEL = kernelVersionCode(4, 11, 0);

/** makedumpfile's ppc64 SECTION_SIZE_BITS when VMCOREINFO lacks it. */
const FALLBACK_SECTION_SIZE_BITS = 24;
/** MAX_PHYSMEM_BITS of ppc64 kernels over time (before 3.7, 3.7, 4.19, 4.20+), tried in makedumpfile's order. */
const PHYSMEM_BITS_BY_ERA = [44, 46, 47, 51];

export interface Ppc64LayoutResult {
  layout: Ppc64Layout;
  warnings: DumpWarning[];
}

export function ppc64Layout(info: VmcoreInfo, pageSize: number): Ppc64LayoutResult {
  const warnings: DumpWarning[] = [];
  const pageShift = Math.log2(pageSize);
  if (pageShift !== 12 && pageShift !== 16)
    throw new VmsieveError('E_BAD_VMCOREINFO', `ppc64 with ${pageSize}-byte pages is not a configuration Linux builds (4 KiB or 64 KiB)`, { pageSize });
  const kernelStart = info.symbol('_stext');
  if (kernelStart === undefined)
    throw new VmsieveError('E_BAD_VMCOREINFO', 'VMCOREINFO lacks SYMBOL(_stext), the base of the ppc64 linear map: kernel addresses cannot be translated', { key: 'SYMBOL(_stext)' });
  const swapperPgDir = info.symbol('swapper_pg_dir') ?? info.symbol('cpu_pgd');
  if (swapperPgDir === undefined)
    throw new VmsieveError('E_BAD_VMCOREINFO', 'VMCOREINFO has neither SYMBOL(swapper_pg_dir) nor SYMBOL(cpu_pgd): ppc64 kernel page tables cannot be found', { key: 'SYMBOL(swapper_pg_dir)' });

  let sectionSizeBits = FALLBACK_SECTION_SIZE_BITS;
  const sectionKey = info.number('SECTION_SIZE_BITS');
  if (sectionKey !== undefined && sectionKey > 0n) sectionSizeBits = Number(sectionKey);
  else warnings.push({ code: 'W_NO_SECTION_SIZE_BITS', message: `VMCOREINFO lacks NUMBER(SECTION_SIZE_BITS): makedumpfile's ppc64 value ${FALLBACK_SECTION_SIZE_BITS} is used.` });

  const physKey = info.number('MAX_PHYSMEM_BITS');
  let maxPhysmemBits: number;
  if (physKey !== undefined) maxPhysmemBits = Number(physKey);
  else {
    // The mem_section root array is sized for MAX_PHYSMEM_BITS: the era whose size matches LENGTH(mem_section) is it.
    const length = info.length('mem_section');
    const perRoot = pageSize / (info.size('mem_section') ?? 16);
    const found = PHYSMEM_BITS_BY_ERA.find((bits) => {
      const sections = 2 ** (bits - sectionSizeBits);
      return length === sections / perRoot || length === sections;
    });
    if (found === undefined)
      throw new VmsieveError('E_BAD_VMCOREINFO', `VMCOREINFO lacks NUMBER(MAX_PHYSMEM_BITS) and LENGTH(mem_section)=${length} matches none of ppc64's ${PHYSMEM_BITS_BY_ERA.join(', ')}: the memory map cannot be read`, { key: 'NUMBER(MAX_PHYSMEM_BITS)' });
    maxPhysmemBits = found;
    warnings.push({ code: 'W_NO_MAX_PHYSMEM_BITS', message: `VMCOREINFO lacks NUMBER(MAX_PHYSMEM_BITS): ${found} is the value whose mem_section size matches LENGTH(mem_section), as makedumpfile finds it.` });
  }

  const radix = info.number('RADIX_MMU');
  return {
    layout: {
      pageShift,
      kernelVersion: parseKernelVersion(info.osRelease),
      kernelStart,
      swapperPgDir,
      maxPhysmemBits,
      sectionSizeBits,
      radixFromInfo: radix === undefined ? undefined : radix === 1n,
    },
    warnings,
  };
}
