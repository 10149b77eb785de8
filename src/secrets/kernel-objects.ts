import type { Dump } from '../model/dump.js';
import type { KernelMemory } from '../kernel/kernel-memory.js';
import { formatResolved, kallsymsOf, type SymbolTable } from '../kernel/kallsyms/index.js';

/** What the kernel's own symbol table says about a physical address of the kernel image. */
export interface KernelObjects {
  /**
   * True for the image's text and read-only data (_stext up to __end_rodata): the same bytes in every copy of this
   * kernel build (crypto self-test keys, maintainers' addresses), so nothing found there belongs to this machine.
   */
  builtIn(paddr: number): boolean;
  /** The symbol the address lies in (`name+0xoff/0xsize`), or undefined outside the image. */
  objectAt(paddr: number): string | undefined;
}

const NOTHING: KernelObjects = { builtIn: () => false, objectAt: () => undefined };

/** The kernel image's place in physical memory, from kallsyms (nothing known without one). */
export async function kernelObjects(dump: Dump, km: KernelMemory | undefined): Promise<KernelObjects> {
  if (!km) return NOTHING;
  const ks = await kallsymsOf(dump, km);
  if (!ks.ok) return NOTHING;
  const table: SymbolTable = ks.kallsyms.table;
  const at = (name: string) => table.lookupName(name)[0]?.address;
  const stext = at('_stext');
  // arm64's kallsyms lacks __end_rodata; its read-only data ends where init begins.
  const endRodata = at('__end_rodata') ?? at('__init_begin') ?? at('_etext');
  if (stext === undefined) return NOTHING;
  let base: number;
  try {
    base = await km.virtToPhys(stext);
  } catch {
    return NOTHING;
  }
  // The image is physically contiguous from _stext on (it is loaded as one block).
  const vaddr = (paddr: number): bigint => stext + BigInt(paddr - base);
  const roEnd = endRodata === undefined ? base : base + Number(endRodata - stext);
  return {
    builtIn: (paddr) => paddr >= base && paddr < roEnd,
    objectAt: (paddr) => {
      if (paddr < base) return undefined;
      const r = table.resolve(vaddr(paddr));
      return r && formatResolved(r);
    },
  };
}
