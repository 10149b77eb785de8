import type { Dump } from '../model/dump.js';
import type { KernelMemory } from '../kernel/kernel-memory.js';
import { formatResolved, kallsymsOf, type SymbolTable } from '../kernel/kallsyms/index.js';

/** What the kernel's own symbol table and the CPUs' registers say about a physical address. */
export interface KernelObjects {
  /**
   * True for the image's text and read-only data (_stext up to __end_rodata): the same bytes in every copy of this
   * kernel build (crypto self-test keys, maintainers' addresses), so nothing found there belongs to this machine.
   */
  builtIn(paddr: number): boolean;
  /** The symbol the address lies in (`name+0xoff/0xsize`), the CPU stack or per-cpu area, or undefined. */
  objectAt(paddr: number): string | undefined;
}

/** A page known to hold one kernel object outside the image (a CPU's stack or per-cpu area). */
export interface ObjectPage {
  pfn: number;
  what: string;
}

/** The kernel image's place in physical memory (from kallsyms: nothing known without it), and `pages` by pfn. */
export async function kernelObjects(dump: Dump, km: KernelMemory | undefined, pages: readonly ObjectPage[] = []): Promise<KernelObjects> {
  const byPfn = new Map(pages.map((p) => [p.pfn, p.what]));
  const onPage = (paddr: number) => byPfn.get(Math.floor(paddr / dump.pageSize));
  const outsideImage: KernelObjects = { builtIn: () => false, objectAt: onPage };
  if (!km) return outsideImage;
  const ks = await kallsymsOf(dump, km);
  if (!ks.ok) return outsideImage;
  const table: SymbolTable = ks.kallsyms.table;
  const at = (name: string) => table.lookupName(name)[0]?.address;
  const stext = at('_stext');
  // arm64's kallsyms lacks __end_rodata; its read-only data ends where init begins.
  const endRodata = at('__end_rodata') ?? at('__init_begin') ?? at('_etext');
  if (stext === undefined) return outsideImage;
  let base: number;
  try {
    base = await km.virtToPhys(stext);
  } catch {
    return outsideImage;
  }
  // The image is physically contiguous from _stext on (it is loaded as one block).
  const vaddr = (paddr: number): bigint => stext + BigInt(paddr - base);
  const roEnd = endRodata === undefined ? base : base + Number(endRodata - stext);
  return {
    builtIn: (paddr) => paddr >= base && paddr < roEnd,
    objectAt: (paddr) => {
      const r = paddr < base ? undefined : table.resolve(vaddr(paddr));
      return r ? formatResolved(r) : onPage(paddr);
    },
  };
}
