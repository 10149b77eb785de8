import type { PhysReader } from '../../model/architecture.js';
import { Fields } from '../../model/byte-order.js';
import { ROOT_TABLE_BYTES, S390X_BYTE_ORDER, SEGMENT_LEVEL, TABLE_BYTES, entryTableLength, isInvalid, isLarge, regionOrigin, segmentOrigin } from './table-entry.js';

/**
 * Physical addresses of every page holding a table reachable from swapper_pg_dir (the root included): region and
 * segment tables of their entries' lengths, and the pages that hold the page tables of segments without a large page.
 */
export async function s390xTablePages(readPhys: PhysReader, root: bigint, rootLevel: number): Promise<bigint[]> {
  const pages = new Set<bigint>();
  let tables: Array<{ at: bigint; bytes: number }> = [{ at: root, bytes: ROOT_TABLE_BYTES }];
  for (let level = rootLevel; level >= SEGMENT_LEVEL; level--) {
    const next = new Map<bigint, number>();
    for (const { at, bytes } of tables) {
      for (let p = at; p < at + BigInt(bytes); p += BigInt(TABLE_BYTES)) pages.add(p);
      const t = new Fields(await readPhys(Number(at), bytes), S390X_BYTE_ORDER);
      for (let i = 0; i < bytes; i += 8) {
        const e = t.u64(i);
        if (isInvalid(e) || (level <= 1 && isLarge(e))) continue;
        if (level > SEGMENT_LEVEL) next.set(regionOrigin(e), (entryTableLength(e) + 1) * TABLE_BYTES);
        else pages.add(segmentOrigin(e) & ~BigInt(TABLE_BYTES - 1));
      }
    }
    tables = [...next].map(([at, bytes]) => ({ at, bytes }));
  }
  return [...pages].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
