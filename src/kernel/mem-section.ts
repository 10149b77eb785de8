import { VmsieveError } from '../errors.js';
import type { KernelMemory } from './kernel-memory.js';

export interface MemSection {
  sectionNr: number;
  pfnStart: number;
  /** Exclusive; clipped to the dump's PT_LOAD max pfn as makedumpfile does. */
  pfnEnd: number;
  /** Virtual address of the struct page for pfnStart. */
  memMapVaddr: bigint;
}

export interface SparseMemModel {
  sections: MemSection[];
  pagesPerSection: number;
  /** makedumpfile's max_mapnr: PT_LOAD max pfn, lowered to the end of the last section that has a mem_map. */
  maxPfn: number;
}

const SECTION_MARKED_PRESENT = 1n;
/** The encoded mem_map is at least 64-byte aligned; masking 6 low bits also covers SECTION_IS_VMEMMAP_PREINIT. */
const SECTION_MAP_MASK = ~0x3fn;

function need(value: number | bigint | undefined, key: string): number {
  if (value === undefined)
    throw new VmsieveError('E_BAD_VMCOREINFO', `VMCOREINFO lacks ${key}: the memory map (mem_section) cannot be read`, { key });
  return Number(value);
}

/** Walks mem_section (SPARSEMEM, extreme or not) and lists each present section's struct page array. */
export async function readMemSections(km: KernelMemory): Promise<SparseMemModel> {
  const info = km.info;
  const pageSize = km.dump.pageSize;
  const memSection = info.symbol('mem_section');
  if (memSection === undefined)
    throw new VmsieveError('E_BAD_VMCOREINFO', 'VMCOREINFO lacks SYMBOL(mem_section): the memory map cannot be read (only SPARSEMEM kernels are supported)', { key: 'SYMBOL(mem_section)' });
  const sectionSize = need(info.size('mem_section'), 'SIZE(mem_section)');
  const mapOffset = need(info.offset('mem_section.section_mem_map'), 'OFFSET(mem_section.section_mem_map)');
  const pageStructSize = need(info.size('page'), 'SIZE(page)');
  // The architecture supplies makedumpfile's fallbacks where it has them (and warns); else the keys are required.
  const sectionBits = need(km.translator.sectionSizeBits, 'NUMBER(SECTION_SIZE_BITS)');
  const physBits = need(km.translator.maxPhysmemBits, 'NUMBER(MAX_PHYSMEM_BITS)');
  const pageShift = Math.log2(pageSize);
  const pagesPerSection = 2 ** (sectionBits - pageShift);
  const nrSections = 2 ** (physBits - sectionBits);
  const perRootExtreme = pageSize / sectionSize;
  const extreme = info.length('mem_section') === Math.ceil(nrSections / perRootExtreme);
  const loadsMaxPfn = km.dump.maxPfnFromLoads;
  const numSections = Math.ceil(loadsMaxPfn / pagesPerSection);
  if (numSections > nrSections)
    throw new VmsieveError('E_ABSURD_SIZE', `the dump's memory (${loadsMaxPfn} pages) is beyond MAX_PHYSMEM_BITS=${physBits}`);

  const sectionAddr = extreme
    ? await extremeSectionLocator(km, memSection, perRootExtreme, numSections, sectionSize)
    : (nr: number) => memSection + BigInt(nr * sectionSize);

  const sections: MemSection[] = [];
  for (let nr = 0; nr < numSections; nr++) {
    const addr = sectionAddr(nr);
    if (addr === undefined) continue;
    const coded = await km.readU64(addr + BigInt(mapOffset));
    if ((coded & SECTION_MARKED_PRESENT) === 0n) continue;
    const pfnStart = nr * pagesPerSection;
    sections.push({
      sectionNr: nr,
      pfnStart,
      pfnEnd: Math.min(pfnStart + pagesPerSection, loadsMaxPfn),
      memMapVaddr: BigInt.asUintN(64, (coded & SECTION_MAP_MASK) + BigInt(pfnStart) * BigInt(pageStructSize)),
    });
  }
  const sectionsEnd = sections.reduce((m, s) => Math.max(m, s.pfnEnd), 0);
  return { sections, pagesPerSection, maxPfn: sections.length ? Math.min(loadsMaxPfn, sectionsEnd) : loadsMaxPfn };
}

/** SPARSEMEM_EXTREME: SYMBOL(mem_section) is the root array; roots that are 0 hold no sections. */
async function extremeSectionLocator(
  km: KernelMemory,
  rootArray: bigint,
  perRoot: number,
  numSections: number,
  sectionSize: number,
): Promise<(nr: number) => bigint | undefined> {
  const rootsNeeded = Math.ceil(numSections / perRoot);
  const bytes = await km.readVirt(rootArray, rootsNeeded * 8);
  const view = km.fields(bytes);
  const roots = Array.from({ length: rootsNeeded }, (_, i) => view.u64(i * 8));
  return (nr) => {
    const root = roots[Math.floor(nr / perRoot)];
    return root === 0n ? undefined : root + BigInt((nr % perRoot) * sectionSize);
  };
}
