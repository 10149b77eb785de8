import type { CpuRegisters, DumpWarning } from '../api-types.js';
import { isVmsieveError } from '../errors.js';
import type { Dump } from '../model/dump.js';
import { cpuRegistersFromNotes } from './crash-context.js';
import { kallsymsOf } from './kallsyms/index.js';
import type { SymbolTable } from './kallsyms/symbol-table.js';
import type { KernelMemory } from './kernel-memory.js';

export type NeededKind = 'symbol' | 'stack' | 'page-table' | 'per-cpu';

/** A page a debugger (crash, drgn) reads to make sense of the dump, and why. */
export interface NeededPage {
  kind: NeededKind;
  /** What lives there: a symbol name, `CPU 0 stack`, `page table`, `CPU 1 per-cpu area`. */
  what: string;
  /** The kernel virtual address the page was found through (absent for page tables, found physically). */
  address?: bigint;
  pfn: number;
}

export interface DebuggerNeeds {
  pages: NeededPage[];
  warnings: DumpWarning[];
}

/** nm letters of the data a debugger reads: initialised data, bss, read-only data. */
const DATA_TYPES = 'dDbBrR';
/**
 * The image's sections that stay in use after boot ([start, end) marker symbols, include/asm-generic/sections.h).
 * The init sections and the gaps between text, rodata and data are freed to the page allocator once booted, so
 * symbols there (boot_command_line, early_top_pgt, ...) name memory that now holds something else.
 */
const LIVE_SECTIONS = [
  ['__start_rodata', '__end_rodata'],
  ['_sdata', '_edata'],
  ['__bss_start', '__bss_stop'],
] as const;

/** Parts of live sections freed after boot: x86_64 frees the unused rest of .bss..decrypted when memory is not encrypted. */
const FREED_AFTER_BOOT = [['__start_bss_decrypted_unused', '__end_bss_decrypted']] as const;

type Range = { start: bigint; end: bigint };

function ranges(table: SymbolTable, pairs: ReadonlyArray<readonly [string, string]>): Range[] {
  const first = (n: string) => table.lookupName(n)[0]?.address;
  return pairs.flatMap(([s, e]) => {
    const start = first(s);
    const end = first(e);
    return start !== undefined && end !== undefined && start < end ? [{ start, end }] : [];
  });
}

const within = (a: bigint, rs: readonly Range[]) => rs.some((r) => a >= r.start && a < r.end);
/** Kernel stacks on x86_64, arm64 and ppc64 without KASAN (THREAD_SIZE), aligned to their size. */
const THREAD_SIZE = 16384n;
const MAX_CPUS = 8192;
/** Kernel virtual addresses are the upper half on x86_64, arm64 and ppc64; a lower-half stack pointer is a user one. */
const KERNEL_HALF = 1n << 63n;

/** The stack pointer register the architecture names. */
const stackPointer = (c: CpuRegisters, register: string): bigint | undefined => {
  const v = c.registers[register];
  return v === undefined ? undefined : BigInt(v);
};

type PfnOf = (vaddr: bigint) => Promise<number | null>;

/** Kernel virtual address → pfn, one translation per page; null where the address is not mapped. */
function pfnFinder(km: KernelMemory): PfnOf {
  const pageSize = km.dump.pageSize;
  const cache = new Map<bigint, number | null>();
  return async (vaddr) => {
    const page = vaddr - (vaddr % BigInt(pageSize));
    let pfn = cache.get(page);
    if (pfn === undefined) {
      try {
        pfn = Math.floor((await km.virtToPhys(page)) / pageSize);
      } catch (e) {
        if (!isVmsieveError(e)) throw e;
        pfn = null;
      }
      cache.set(page, pfn);
    }
    return pfn;
  };
}

/**
 * The pages a debugger needs, found from the dump alone: the page of every kallsyms data, bss and rodata symbol in
 * the image's live sections; the stack of each CPU whose saved stack pointer is a kernel address; every page-table page
 * reachable from the root; and each possible CPU's per-cpu area (`__per_cpu_offset[cpu]` + the per-cpu section).
 */
export async function debuggerNeeds(km: KernelMemory, table: SymbolTable, cpus: readonly CpuRegisters[]): Promise<DebuggerNeeds> {
  const pages: NeededPage[] = [];
  const warnings: DumpWarning[] = [];
  const pfnOf = pfnFinder(km);
  const page = BigInt(km.dump.pageSize);
  const live = ranges(table, LIVE_SECTIONS);
  const freed = ranges(table, FREED_AFTER_BOOT);
  if (live.length < LIVE_SECTIONS.length)
    warnings.push({ code: 'W_NO_SECTIONS', message: `kallsyms lacks some of ${LIVE_SECTIONS.flat().join(', ')}: data symbols outside the sections found are not checked (a kernel built without CONFIG_KALLSYMS_ALL lists functions only)` });

  for (const s of table.ofTypes(DATA_TYPES)) {
    if (!within(s.address, live) || within(s.address, freed)) continue;
    const pfn = await pfnOf(s.address);
    if (pfn !== null) pages.push({ kind: 'symbol', what: s.name, address: s.address, pfn });
  }

  for (const c of cpus) {
    const sp = stackPointer(c, km.dump.arch.stackRegister);
    if (sp === undefined || sp < KERNEL_HALF) continue;
    const base = sp & ~(THREAD_SIZE - 1n);
    for (let a = base; a < base + THREAD_SIZE; a += page) {
      const pfn = await pfnOf(a);
      if (pfn === null) warnings.push({ code: 'W_STACK_UNMAPPED', message: `CPU ${c.cpu}'s stack page at 0x${a.toString(16)} is not mapped: not checked` });
      else pages.push({ kind: 'stack', what: `CPU ${c.cpu} stack`, address: a, pfn });
    }
  }

  for (const phys of await km.translator.kernelTablePages()) pages.push({ kind: 'page-table', what: 'kernel page table', pfn: Number(phys / page) });

  pages.push(...(await perCpuPages(km, table, pfnOf, warnings)));
  return { pages, warnings };
}

async function perCpuPages(km: KernelMemory, table: SymbolTable, pfnOf: PfnOf, warnings: DumpWarning[]): Promise<NeededPage[]> {
  const page = BigInt(km.dump.pageSize);
  const first = (n: string) => table.lookupName(n)[0]?.address;
  const [offsets, sectionStart, sectionEnd, nrCpuIds] = ['__per_cpu_offset', '__per_cpu_start', '__per_cpu_end', 'nr_cpu_ids'].map(first);
  if (offsets === undefined || sectionStart === undefined || sectionEnd === undefined || nrCpuIds === undefined) {
    warnings.push({ code: 'W_NO_PERCPU', message: 'kallsyms has no __per_cpu_offset, __per_cpu_start/__per_cpu_end or nr_cpu_ids: per-cpu areas not checked' });
    return [];
  }
  const n = Math.min(MAX_CPUS, new DataView((await km.readVirt(nrCpuIds, 4)).buffer).getUint32(0, true));
  const raw = await km.readVirt(offsets, n * 8);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: NeededPage[] = [];
  for (let cpu = 0; cpu < n; cpu++) {
    const base = view.getBigUint64(cpu * 8, true);
    const start = BigInt.asUintN(64, base + sectionStart);
    const to = BigInt.asUintN(64, base + sectionEnd);
    for (let a = start - (start % page); a < to; a += page) {
      const pfn = await pfnOf(a);
      if (pfn === null) warnings.push({ code: 'W_PERCPU_UNMAPPED', message: `CPU ${cpu}'s per-cpu page at 0x${a.toString(16)} is not mapped: not checked` });
      else out.push({ kind: 'per-cpu', what: `CPU ${cpu} per-cpu area`, address: a, pfn });
    }
  }
  return out;
}

/**
 * What crash and drgn need of this dump (debuggerNeeds from its own kallsyms and CPU notes), or why that cannot be
 * found: no VMCOREINFO, or no usable kernel symbol table.
 */
export async function debuggerNeedsOf(dump: Dump, km: KernelMemory | undefined): Promise<DebuggerNeeds | { unavailable: string }> {
  if (!km) return { unavailable: `${dump.source.name} has no VMCOREINFO: the kernel objects a debugger needs cannot be located.` };
  const ks = await kallsymsOf(dump, km);
  if (!ks.ok) return { unavailable: `${ks.warning.message} The keep check needs the symbol table.` };
  return debuggerNeeds(km, ks.kallsyms.table, cpuRegistersFromNotes(dump));
}
