import { PT_LOAD } from '../../model/elf-constants.js';
import type { Phdr } from './write-elf.js';
import { bitmapMode } from '../../model/bitmap-mode.js';

/** makedumpfile's BUFSIZE_BITMAP: its bitmap file is read 4096 bytes (32768 pfns) at a time. */
const BLOCK_PFNS = 4096 * 8;
const NOT_PADDR = 0xffff_ffff_ffff_ffffn;

/**
 * Which pfn's 2nd-bitmap bit makedumpfile 1.7.2 reads when -E asks whether a PT_LOAD page is dumpable: `from` is the
 * first pfn where that is not the page's own bit, `bitFor(pfn)` (for pfn ≥ from) the pfn whose bit it reads instead,
 * undefined when none (the page is left out).
 *
 * Why: when its buffer holds both bitmaps of max_mapnr counted from the PT_LOADs (a multiple of 4 pfns, so
 * max_mapnr*2/8 is exact), makedumpfile works in one cycle with the bitmaps in a temporary file, sized for the
 * max_mapnr it later cuts down to the last mem_section with a mem_map (get_mem_map). is_dumpable_file() reads the
 * file in 4096-byte blocks; a block past its end reads nothing and leaves the buffer holding the last block it did
 * read, so a PT_LOAD past the memory map (QEMU's firmware ROM at 0xfffc0000) gets the bits of the same offsets in
 * that block: on a 384 MiB guest, those of its last 64 RAM pages. write_elf_pages_cyclic() walks the PT_LOADs twice
 * (program headers, then data) after get_num_dumpable_cyclic() walked every pfn, so the block left over is that of
 * the last page looked up below the file's end. In cyclic mode no file is used and pages past the map count as
 * not dumpable here, as before (see README's limits).
 */
export interface BitmapFileLookup {
  readonly from: number;
  bitFor(pfn: number): number | undefined;
}

export function bitmapFileLookup(phdrs: readonly Phdr[], pageSize: number, maxPfn: number, maxPfnFromLoads: number): BitmapFileLookup {
  if (bitmapMode(maxPfnFromLoads) === 'cyclic' || maxPfn <= 0) return { from: Infinity, bitFor: () => undefined };
  const fileBlocks = (Math.ceil(Math.ceil(maxPfn / 8) / pageSize) * pageSize) / 4096;
  const from = fileBlocks * BLOCK_PFNS;
  const ps = BigInt(pageSize);
  const spans = phdrs
    .filter((p) => p.type === PT_LOAD && p.paddr !== NOT_PADDR)
    .map((p) => {
      const start = Number(p.paddr / ps) + (p.paddr % ps ? 1 : 0);
      const end = Number((p.paddr + BigInt(p.memsz)) / ps) + ((p.paddr + BigInt(p.memsz)) % ps ? 1 : 0);
      return { start, end };
    });
  let held = Math.floor((maxPfn - 1) / BLOCK_PFNS);
  const stale: { start: number; end: number; block: number }[] = [];
  for (const pass of [0, 1])
    for (const { start, end } of spans) {
      if (end <= start) continue;
      if (start < from) held = Math.floor((Math.min(end, from) - 1) / BLOCK_PFNS);
      if (pass === 1 && end > from) stale.push({ start: Math.max(start, from), end, block: held });
    }
  return {
    from,
    bitFor(pfn) {
      const s = stale.find((r) => r.start <= pfn && pfn < r.end);
      return s && s.block * BLOCK_PFNS + (pfn % BLOCK_PFNS);
    },
  };
}
