// ppc64 translation on the real ppc64le dump (radix MMU, 64 KiB pages, a 6.1 kernel without NUMBER(RADIX_MMU)):
// the struct pages vmemmap_list places are where a walk of swapper_pg_dir finds them, with the radix layout found
// from the tables; without vmemmap_list (as on radix kernels from 6.6) and without MAX_PHYSMEM_BITS /
// SECTION_SIZE_BITS (makedumpfile's fallbacks) the -d 31 counts stay the record's; the hash layout makedumpfile
// 1.7.2 assumes for this kernel finds no struct page by walking.
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyDump } from '../../src/filter/classify-dump.js';
import { reportForLevel } from '../../src/filter/report.js';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import type { Dump } from '../../src/model/dump.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { readMemSections, type MemSection } from '../../src/kernel/mem-section.js';
import { VmcoreInfo } from '../../src/model/vmcoreinfo.js';
import { instantiateKernels } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { excludedByClass, realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const fixture = realFixtures().find((f) => f.arch === 'ppc64le');
const skip = realFixturesSkipReason() ?? (fixture ? undefined : 'no real ppc64le fixture');

/** The dump with its VMCOREINFO lines for these keys left out, and others added. */
function withInfo(dump: Dump, drop: string[], add: string[] = []): Dump {
  const text = [...dump.vmcoreinfo!.raw.split('\n').filter((l) => !drop.some((k) => l.startsWith(`${k}=`))), ...add].join('\n');
  return Object.create(dump, { vmcoreinfo: { value: new VmcoreInfo(text) } }) as Dump;
}

const VMEMMAP_LIST = ['SYMBOL(vmemmap_list)'];

describe.skipIf(!!skip)(`ppc64 translation on a real dump${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let source: NodeFileSource;
  let dump: Dump;
  let sections: MemSection[];

  beforeAll(async () => {
    source = await NodeFileSource.open(fixture!.vmcore);
    dump = await openDump(source);
    sections = (await readMemSections(KernelMemory.open(dump))).sections;
    return () => source.close?.();
  });

  it('vmemmap_list and the radix walk of swapper_pg_dir put every section’s struct pages at the same place', async () => {
    expect(dump.vmcoreinfo!.has('NUMBER(RADIX_MMU)')).toBe(false);
    const listed = KernelMemory.open(dump);
    const walked = KernelMemory.open(withInfo(dump, VMEMMAP_LIST));
    expect(sections.length).toBe(64);
    for (const s of sections) {
      const bytes = (s.pfnEnd - s.pfnStart) * 64;
      expect(await walked.physRuns(s.memMapVaddr, bytes), `section ${s.sectionNr}`).toEqual(await listed.physRuns(s.memMapVaddr, bytes));
    }
    // The hash MMU's layout, which makedumpfile 1.7.2 assumes without RADIX_MMU, finds nothing there.
    const hash = KernelMemory.open(withInfo(dump, VMEMMAP_LIST, ['NUMBER(RADIX_MMU)=0']));
    await expect(hash.virtToPhys(sections[0].memMapVaddr)).rejects.toMatchObject({ code: 'E_TRANSLATE' });
    const radix = KernelMemory.open(withInfo(dump, VMEMMAP_LIST, ['NUMBER(RADIX_MMU)=1']));
    expect(await radix.virtToPhys(sections[5].memMapVaddr)).toBe(await listed.virtToPhys(sections[5].memMapVaddr));
  });

  it('every page table on the way to the struct pages is among the kernel table pages', async () => {
    const km = KernelMemory.open(dump);
    const tables = await km.translator.kernelTablePages();
    const root = Number(dump.vmcoreinfo!.symbol('swapper_pg_dir')! - dump.vmcoreinfo!.symbol('_stext')!);
    expect(tables[0]).toBe(BigInt(root));
    // Radix, 64 KiB pages: a 64 KiB pgd, 4 KiB puds and pmds, 256-byte pte tables.
    const pages = new Set(tables.map((t) => Number(t) >> 16));
    expect(tables.length).toBeGreaterThan(10);
    const entry = async (table: number, index: bigint) => {
      const b = await dump.readPhys(table + Number(index) * 8, 8);
      return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false);
    };
    for (const s of sections.filter((_, i) => i % 8 === 0)) {
      let table = root;
      for (const [shift, bits] of [[39n, 13n], [30n, 9n], [21n, 9n]] as const) {
        expect(pages.has(table >> 16), `table 0x${table.toString(16)} for section ${s.sectionNr}`).toBe(true);
        const e = await entry(table, (s.memMapVaddr >> shift) & ((1n << bits) - 1n));
        if (e & (1n << 62n)) break;
        table = Number(e & ~0xc0000000000000ffn);
      }
    }
  });

  it('without vmemmap_list, MAX_PHYSMEM_BITS and SECTION_SIZE_BITS the -d 31 counts are the record’s', async () => {
    const kernels = await instantiateKernels(await nodeWasmModule());
    const bare = withInfo(dump, [...VMEMMAP_LIST, 'NUMBER(MAX_PHYSMEM_BITS)', 'NUMBER(SECTION_SIZE_BITS)']);
    const res = await classifyDump(bare, KernelMemory.open(bare), kernels);
    expect(res.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['W_NO_SECTION_SIZE_BITS', 'W_NO_MAX_PHYSMEM_BITS']));
    const r = reportForLevel(res, 31);
    expect({ zero: r.zero, cache: r.cache, cachePrivate: r.cachePrivate, user: r.user, free: r.free, hwpoison: r.hwpoison, offline: r.offline }).toEqual(
      excludedByClass(fixture!.oracle.counts_by_level['31']),
    );
  });
});
