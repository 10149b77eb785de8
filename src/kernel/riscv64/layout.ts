import type { DumpWarning } from '../../api-types.js';
import { VmsieveError } from '../../errors.js';
import type { LoadSegment } from '../../model/dump.js';
import type { VmcoreInfo } from '../../model/vmcoreinfo.js';

/** A kernel VA range [start, end], both ends included (as makedumpfile's checks include them). */
export interface VaRange {
  start: bigint;
  end: bigint;
}

/** The riscv64 kernel address space, resolved from VMCOREINFO as makedumpfile's arch/riscv64.c resolves it. */
export interface Riscv64Layout {
  /** NUMBER(VA_BITS): 39, 48 or 57 (Sv39, Sv48, Sv57), the mode the kernel runs in. */
  vaBits: number;
  levels: number;
  /** Start of the linear map, which maps physical `physRamBase` on. */
  pageOffset: bigint;
  /** NUMBER(phys_ram_base): the lowest RAM address; makedumpfile's phys_base. */
  physRamBase: bigint;
  /** Addresses at and above KERNEL_LINK_ADDR are the kernel image, `va_kernel_pa_offset` above its physical place. */
  kernelLinkAddr: bigint;
  vaKernelPaOffset: bigint;
  /** vmalloc, vmemmap and modules: mapped by page tables only, so walked even where they lie above PAGE_OFFSET. */
  walked: readonly VaRange[];
  swapperPgDir: bigint;
  maxPhysmemBits: number;
  sectionSizeBits: number;
}

/** Satp modes: VA bits → page-table levels. */
const LEVELS: Record<number, number> = { 39: 3, 48: 4, 57: 5 };
/** makedumpfile's riscv64 values when VMCOREINFO lacks these keys. */
const FALLBACK_PHYS_RAM_BASE = 0x80200000n;
const FALLBACK_MAX_PHYSMEM_BITS = 56;
const FALLBACK_SECTION_SIZE_BITS = 27;

export interface Riscv64LayoutResult {
  layout: Riscv64Layout;
  warnings: DumpWarning[];
}

const u64 = (v: bigint) => BigInt.asUintN(64, v);

export function riscv64Layout(info: VmcoreInfo, loads: readonly LoadSegment[]): Riscv64LayoutResult {
  const warnings: DumpWarning[] = [];
  const warn = (code: string, message: string) => warnings.push({ code, message });
  const required = (key: string): bigint => {
    const v = info.number(key);
    if (v === undefined)
      throw new VmsieveError('E_BAD_VMCOREINFO', `VMCOREINFO lacks NUMBER(${key}): riscv64 kernel addresses cannot be translated (kernels before 6.2 do not describe their memory layout; makedumpfile cannot read such dumps either)`, { key: `NUMBER(${key})` });
    return u64(v);
  };

  const vaBits = Number(required('VA_BITS'));
  const levels = LEVELS[vaBits];
  if (levels === undefined)
    throw new VmsieveError('E_BAD_VMCOREINFO', `VMCOREINFO NUMBER(VA_BITS)=${vaBits} is not a riscv64 paging mode (Sv39, Sv48 or Sv57)`, { key: 'NUMBER(VA_BITS)', vaBits });
  const pageOffset = required('PAGE_OFFSET');
  const kernelLinkAddr = required('KERNEL_LINK_ADDR');
  const vmallocEnd = required('VMALLOC_END');
  const vmemmap = { start: required('VMEMMAP_START'), end: required('VMEMMAP_END') };
  const modules = { start: required('MODULES_VADDR'), end: required('MODULES_END') };

  let vmallocStart = info.number('VMALLOC_START');
  if (vmallocStart === undefined) {
    vmallocStart = vmemmap.end;
    warn('W_NO_VMALLOC_START', 'VMCOREINFO lacks NUMBER(VMALLOC_START): vmalloc is taken to start where the vmemmap ends, as on every riscv64 layout.');
  }

  const physRamBase = physRamBaseOf(info);
  if (!info.has('NUMBER(phys_ram_base)'))
    warn('W_NO_PHYS_RAM_BASE', `VMCOREINFO lacks NUMBER(phys_ram_base): makedumpfile's riscv64 value 0x${FALLBACK_PHYS_RAM_BASE.toString(16)} (QEMU virt's) is used, so linear-map addresses may be misread.`);

  const stext = info.symbol('_stext');
  let vaKernelPaOffset = info.number('va_kernel_pa_offset');
  if (vaKernelPaOffset === undefined) {
    // Kernels before 6.5 and XIP ones do not write it; the kernel-text PT_LOAD kexec writes has the true p_vaddr.
    const text = stext === undefined ? undefined : loads.find((l) => l.virtStart <= stext && stext < l.virtStart + BigInt(l.physEnd - l.physStart));
    if (!text)
      throw new VmsieveError('E_BAD_VMCOREINFO', 'VMCOREINFO lacks NUMBER(va_kernel_pa_offset) and no PT_LOAD maps SYMBOL(_stext) to derive it from: riscv64 kernel-image addresses cannot be translated', { key: 'NUMBER(va_kernel_pa_offset)' });
    vaKernelPaOffset = text.virtStart - BigInt(text.physStart);
    warn('W_NO_VA_KERNEL_PA_OFFSET', 'VMCOREINFO lacks NUMBER(va_kernel_pa_offset): it is derived from the PT_LOAD that maps the kernel text.');
  }

  const swapperPgDir = info.symbol('swapper_pg_dir');
  if (swapperPgDir === undefined)
    throw new VmsieveError('E_BAD_VMCOREINFO', 'VMCOREINFO lacks SYMBOL(swapper_pg_dir): riscv64 vmalloc, vmemmap and module addresses cannot be translated', { key: 'SYMBOL(swapper_pg_dir)' });

  return {
    layout: {
      vaBits,
      levels,
      pageOffset,
      physRamBase,
      kernelLinkAddr,
      vaKernelPaOffset: u64(vaKernelPaOffset),
      walked: [{ start: u64(vmallocStart), end: vmallocEnd }, vmemmap, modules],
      swapperPgDir,
      maxPhysmemBits: bitsOr(info, 'MAX_PHYSMEM_BITS', FALLBACK_MAX_PHYSMEM_BITS, warn),
      sectionSizeBits: bitsOr(info, 'SECTION_SIZE_BITS', FALLBACK_SECTION_SIZE_BITS, warn),
    },
    warnings,
  };
}

/** makedumpfile's phys_base on riscv64: NUMBER(phys_ram_base), else its fallback. */
export function physRamBaseOf(info: VmcoreInfo | undefined): bigint {
  return u64(info?.number('phys_ram_base') ?? FALLBACK_PHYS_RAM_BASE);
}

function bitsOr(info: VmcoreInfo, key: string, fallback: number, warn: (code: string, message: string) => void): number {
  const v = info.number(key);
  if (v !== undefined) return Number(v);
  warn(`W_NO_${key}`, `VMCOREINFO lacks NUMBER(${key}): makedumpfile's riscv64 value ${fallback} is used.`);
  return fallback;
}

/**
 * makedumpfile's VTOP: kernel-image addresses less va_kernel_pa_offset, linear-map ones less PAGE_OFFSET plus
 * phys_ram_base. Undefined for addresses only page tables map (below PAGE_OFFSET, or in a walked range).
 */
export function directPhys(l: Riscv64Layout, va: bigint): bigint | undefined {
  if (va < l.pageOffset || l.walked.some((r) => va >= r.start && va <= r.end)) return undefined;
  return imagePhys(l, va);
}

/** VTOP without the range checks: how makedumpfile finds swapper_pg_dir itself. */
export function imagePhys(l: Riscv64Layout, va: bigint): bigint {
  return u64(va >= l.kernelLinkAddr ? va - l.vaKernelPaOffset : va - l.pageOffset + l.physRamBase);
}
