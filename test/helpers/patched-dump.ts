import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { readKallsyms } from '../../src/kernel/kallsyms/index.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { readMemSections } from '../../src/kernel/mem-section.js';
import { cacheDir } from './fixtures.js';

export interface PatchedDump {
  path: string;
  /** The pfn whose struct page now says "free buddy page of order 0". */
  pfn: number;
}

/**
 * A copy of a real vmcore in which the struct page behind `symbol` is rewritten to read as a free buddy page
 * (page_type = PAGE_BUDDY_MAPCOUNT_VALUE, order 0): what a kernel that freed that page, or a filter that misreads
 * its struct page, would make of it. Every other byte is the real dump's. Made once into .cache/derived/.
 */
export async function dumpWithFreedSymbolPage(vmcore: string, name: string, symbol: string): Promise<PatchedDump> {
  const dir = join(cacheDir, 'derived');
  const path = join(dir, `${name}-${symbol}-free.vmcore`);
  const source = await NodeFileSource.open(vmcore);
  try {
    const dump = await openDump(source);
    const km = KernelMemory.open(dump);
    const ks = await readKallsyms(km);
    if (!ks.ok) throw new Error(ks.warning.message);
    const address = ks.kallsyms.table.lookupName(symbol)[0]?.address;
    if (address === undefined) throw new Error(`${name} has no symbol ${symbol}`);
    const pfn = Math.floor((await km.virtToPhys(address)) / 4096);
    if (existsSync(path)) return { path, pfn };
    const info = km.info;
    const section = (await readMemSections(km)).sections.find((s) => pfn >= s.pfnStart && pfn < s.pfnEnd)!;
    const structPage = section.memMapVaddr + BigInt((pfn - section.pfnStart) * info.size('page')!);
    const patch = async (field: string, bytes: Uint8Array) => {
      const phys = await km.virtToPhys(structPage + BigInt(info.offset(field)!));
      const load = dump.loads.find((l) => phys >= l.physStart && phys + bytes.length <= l.physStart + l.fileSize)!;
      return { at: load.fileOffset + (phys - load.physStart), bytes };
    };
    const buddy = new Uint8Array(4);
    new DataView(buddy.buffer).setInt32(0, Number(info.number('PAGE_BUDDY_MAPCOUNT_VALUE')), true);
    const writes = [await patch('page._mapcount', buddy), await patch('page.private', new Uint8Array(8))];
    mkdirSync(dir, { recursive: true });
    const partial = `${path}.partial`;
    copyFileSync(vmcore, partial);
    chmodSync(partial, 0o644);
    const fd = openSync(partial, 'r+');
    try {
      for (const w of writes) writeSync(fd, w.bytes, 0, w.bytes.length, w.at);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, path);
    return { path, pfn };
  } finally {
    await source.close();
  }
}
