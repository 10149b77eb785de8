import type { PhysReader } from '../../model/architecture.js';
import { entryPhys, isLeaf, TABLE_BYTES, VALID } from './page-entry.js';

/**
 * Physical addresses of every page-table page reachable from swapper_pg_dir (the root included): valid entries
 * that are not leaves point at the next level's tables.
 */
export async function riscv64TablePages(readPhys: PhysReader, root: bigint, levels: number): Promise<bigint[]> {
  const seen = new Set<bigint>();
  const out: bigint[] = [];
  let tables = [root];
  for (let level = levels - 1; level >= 0; level--) {
    const next: bigint[] = [];
    for (const table of tables) {
      if (seen.has(table)) continue;
      seen.add(table);
      out.push(table);
      if (level === 0) continue;
      const b = await readPhys(Number(table), TABLE_BYTES);
      for (const e of new BigUint64Array(b.buffer.slice(b.byteOffset, b.byteOffset + TABLE_BYTES)))
        if ((e & VALID) !== 0n && !isLeaf(e)) next.push(entryPhys(e));
    }
    tables = next;
  }
  return out;
}
