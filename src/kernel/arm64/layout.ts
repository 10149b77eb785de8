import type { DumpWarning } from '../../api-types.js';
import { VmsieveError } from '../../errors.js';
import type { LoadSegment } from '../../model/dump.js';
import type { VmcoreInfo } from '../../model/vmcoreinfo.js';

/**
 * Where a descriptor keeps its output address. 'pa48': bits [47:PAGE_SHIFT]. 'lpa' (64 KiB granule, FEAT_LPA):
 * bits [47:16] plus PA[51:48] in bits [15:12]. 'lpa2' (4/16 KiB granule, FEAT_LPA2): bits [49:PAGE_SHIFT] plus
 * PA[51:50] in bits [9:8].
 */
export type DescriptorFormat = 'pa48' | 'lpa' | 'lpa2';

/** The arm64 kernel address space, resolved from VMCOREINFO as makedumpfile's arch/arm64.c resolves it. */
export interface Arm64Layout {
  pageShift: number;
  /** NUMBER(VA_BITS): the kernel's configured VA size. */
  vaBits: number;
  /** 64 − TCR_EL1.T1SZ: the VA size the kernel runs with (48 on a 52-bit kernel without LVA/LPA2 hardware). */
  vabitsActual: number;
  levels: number;
  /** 5.4+: the linear map is the lower half of the kernel VA range, the kernel image and vmalloc the upper. */
  flipped: boolean;
  pageOffset: bigint;
  /** PHYS_OFFSET (memstart_addr), as u64; makedumpfile's phys_base. */
  physOffset: bigint;
  /** Kernel-image VA − PA; undefined before 4.12, when image addresses are taken as linear ones. */
  kimageVoffset: bigint | undefined;
  swapperPgDir: bigint;
  maxPhysmemBits: number;
  sectionSizeBits: number;
  descriptor: DescriptorFormat;
}

const u64 = (v: bigint) => BigInt.asUintN(64, v);
/** ~0UL << bits */
const highMask = (bits: number) => u64(~0n << BigInt(bits));

/** The granule/VA combinations arm64 Linux builds (arch/arm64/Kconfig), with their table levels. */
const LEVELS: Record<number, Record<number, number>> = {
  4096: { 39: 3, 48: 4, 52: 5 },
  16384: { 36: 2, 47: 3, 48: 4, 52: 4 },
  65536: { 42: 2, 48: 3, 52: 3 },
};

/** makedumpfile's SECTIONS_SIZE_BITS for arm64 when VMCOREINFO lacks SECTION_SIZE_BITS (the value before 5.12). */
const FALLBACK_SECTION_SIZE_BITS = 30;

export interface Arm64LayoutResult {
  layout: Arm64Layout;
  warnings: DumpWarning[];
}

export function arm64Layout(info: VmcoreInfo, loads: readonly LoadSegment[], pageSize: number): Arm64LayoutResult {
  const warnings: DumpWarning[] = [];
  const warn = (code: string, message: string) => warnings.push({ code, message });
  const pageShift = Math.log2(pageSize);
  const stext = info.symbol('_stext');

  let vaBits: number;
  const vaBitsKey = info.number('VA_BITS');
  if (vaBitsKey !== undefined) vaBits = Number(vaBitsKey);
  else {
    const guessed = stext === undefined ? undefined : [48, 47, 42, 39, 36].find((b) => (stext & highMask(b)) === highMask(b));
    if (guessed === undefined)
      throw new VmsieveError('E_BAD_VMCOREINFO', 'VMCOREINFO has no NUMBER(VA_BITS) and no SYMBOL(_stext) to guess it from: arm64 kernel addresses cannot be translated', { key: 'NUMBER(VA_BITS)' });
    vaBits = guessed;
    warn('W_NO_VA_BITS', `VMCOREINFO lacks NUMBER(VA_BITS): ${vaBits} is guessed from SYMBOL(_stext), as makedumpfile does.`);
  }

  let vabitsActual = vaBits;
  const t1sz = info.number('TCR_EL1_T1SZ');
  if (t1sz !== undefined) vabitsActual = 64 - Number(t1sz);
  else if (vaBits === 52) {
    // 5.4–5.10 put the 48-bit linear map at 0xffff000000000000 and the 52-bit one at 0xfff0000000000000.
    const memSection = info.symbol('mem_section');
    if (memSection !== undefined) vabitsActual = (memSection & (1n << BigInt(vaBits - 1))) !== 0n ? 48 : 52;
    warn('W_NO_TCR_EL1_T1SZ', `VMCOREINFO lacks NUMBER(TCR_EL1_T1SZ) on a 52-bit VA kernel: the running VA size is taken as ${vabitsActual}${memSection !== undefined ? ' from where SYMBOL(mem_section) lies' : ''}, as makedumpfile does.`);
  }

  const levels = LEVELS[pageSize]?.[vabitsActual];
  if (levels === undefined)
    throw new VmsieveError('E_BAD_VMCOREINFO', `arm64 with ${pageSize / 1024} KiB pages and ${vabitsActual}-bit virtual addresses is not a configuration Linux builds`, { pageSize, vaBits: vabitsActual });

  const vabitsMin = Math.min(vaBits, 48);
  const pageEnd = u64(-(1n << BigInt(vabitsMin - 1)));
  if (stext === undefined)
    warn('W_NO_STEXT', 'VMCOREINFO lacks SYMBOL(_stext): the pre-5.4 linear-map layout is assumed, as makedumpfile does.');
  const flipped = stext !== undefined && stext > pageEnd;
  const pageOffset = u64(-(1n << BigInt(flipped ? vabitsActual : vabitsActual - 1)));

  let physOffset = info.number('PHYS_OFFSET');
  if (physOffset === undefined) {
    const linear = loads.find((l) => l.virtStart !== 0n && l.virtStart >= pageOffset && isLinear(l.virtStart, flipped, vabitsActual));
    if (!linear)
      throw new VmsieveError('E_BAD_VMCOREINFO', 'VMCOREINFO lacks NUMBER(PHYS_OFFSET) and no PT_LOAD maps the linear map to derive it from: arm64 kernel addresses cannot be translated', { key: 'NUMBER(PHYS_OFFSET)' });
    physOffset = BigInt(linear.physStart) - (linear.virtStart & ~pageOffset);
    warn('W_NO_PHYS_OFFSET', 'VMCOREINFO lacks NUMBER(PHYS_OFFSET): it is derived from the first linear-map PT_LOAD, as makedumpfile does.');
  }

  const kimageVoffset = info.number('kimage_voffset');
  if (kimageVoffset === undefined)
    warn('W_NO_KIMAGE_VOFFSET', 'VMCOREINFO lacks NUMBER(kimage_voffset) (kernels before 4.12): kernel-image addresses are translated as linear-map ones, as makedumpfile does.');

  const swapperPgDir = info.symbol('swapper_pg_dir');
  if (swapperPgDir === undefined)
    throw new VmsieveError('E_BAD_VMCOREINFO', 'VMCOREINFO lacks SYMBOL(swapper_pg_dir): arm64 kernel addresses cannot be translated', { key: 'SYMBOL(swapper_pg_dir)' });

  let maxPhysmemBits: number;
  const physBitsKey = info.number('MAX_PHYSMEM_BITS');
  if (physBitsKey !== undefined) maxPhysmemBits = Number(physBitsKey);
  else {
    maxPhysmemBits = vaBits === 52 ? 52 : 48;
    warn('W_NO_MAX_PHYSMEM_BITS', `VMCOREINFO lacks NUMBER(MAX_PHYSMEM_BITS): ${maxPhysmemBits} is assumed from VA_BITS, as makedumpfile does.`);
  }

  let sectionSizeBits: number;
  const sectionKey = info.number('SECTION_SIZE_BITS');
  if (sectionKey !== undefined) sectionSizeBits = Number(sectionKey);
  else {
    sectionSizeBits = FALLBACK_SECTION_SIZE_BITS;
    warn('W_NO_SECTION_SIZE_BITS', `VMCOREINFO lacks NUMBER(SECTION_SIZE_BITS): makedumpfile's arm64 value ${FALLBACK_SECTION_SIZE_BITS} is used (right before Linux 5.12; 5.12.0–5.12.12 used 27, or 29 with 64 KiB pages), so the memory map may be misread.`);
  }

  let descriptor: DescriptorFormat = 'pa48';
  if (pageSize === 65536 && maxPhysmemBits === 52) descriptor = 'lpa';
  // 4/16 KiB pages: 52-bit PA needs LPA2, which the kernel only runs with 52-bit VA (Linux 6.9, commit 352b0395b505).
  else if (pageSize !== 65536 && vabitsActual === 52) descriptor = 'lpa2';

  return {
    layout: { pageShift, vaBits, vabitsActual, levels, flipped, pageOffset, physOffset: u64(physOffset), kimageVoffset: kimageVoffset === undefined ? undefined : u64(kimageVoffset), swapperPgDir, maxPhysmemBits, sectionSizeBits, descriptor },
    warnings,
  };
}

/** The linear map starts at the bottom (flipped) or the top of the kernel VA range: its top bit says which half. */
export function isLinear(va: bigint, flipped: boolean, vabitsActual: number): boolean {
  const top = (va & (1n << BigInt(vabitsActual - 1))) !== 0n;
  return flipped ? !top : top;
}

const bit = (n: number) => 1n << BigInt(n);
const bitsBetween = (hi: number, lo: number) => bit(hi + 1) - bit(lo);

/** A descriptor's output address, for each of the three layouts the architecture defines. */
export function descriptorOutputAddress(l: Arm64Layout): (entry: bigint) => bigint {
  const low48 = bitsBetween(47, l.pageShift);
  switch (l.descriptor) {
    case 'pa48':
      return (e) => e & low48;
    case 'lpa':
      return (e) => (e & low48) | ((e & bitsBetween(15, 12)) << 36n);
    case 'lpa2': {
      const low50 = bitsBetween(49, l.pageShift);
      return (e) => (e & low50) | ((e & bitsBetween(9, 8)) << 42n);
    }
  }
}

/** The lowest VA bit a table at `level` (0: the last, which maps pages) indexes. */
export function levelShift(l: Arm64Layout, level: number): number {
  return l.pageShift + (l.pageShift - 3) * level;
}

/** How many VA bits index a table at `level`: the top level takes only those below vabits_actual. */
export function levelIndexBits(l: Arm64Layout, level: number): number {
  return level === l.levels - 1 ? l.vabitsActual - levelShift(l, level) : l.pageShift - 3;
}

/** Physical address of swapper_pg_dir, the TTBR1 root every kernel-address walk starts from. */
export function rootTablePhys(l: Arm64Layout): bigint {
  return physOfKernelAddress(l, l.swapperPgDir);
}

/** __pa(): linear-map and kernel-image addresses to physical, without page tables. */
export function physOfKernelAddress(l: Arm64Layout, va: bigint): bigint {
  if (l.kimageVoffset === undefined || isLinear(va, l.flipped, l.vabitsActual)) return u64((va & ~l.pageOffset) + l.physOffset);
  return u64(va - l.kimageVoffset);
}
