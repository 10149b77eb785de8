import type { PhysReader } from '../../model/architecture.js';
import { descriptorOutputAddress, levelIndexBits, rootTablePhys, type Arm64Layout } from './layout.js';

/** Descriptor bits [1:0] of a table above the last level (0b01 there is a block, which ends a branch). */
const TABLE_DESCRIPTOR = 3n;

/**
 * Physical addresses of every page-table page reachable from swapper_pg_dir (the root included), walked with the
 * translator's layout: its levels, the entries the top level indexes under vabits_actual, and its descriptor format.
 */
export async function arm64TablePages(readPhys: PhysReader, l: Arm64Layout): Promise<bigint[]> {
  const outputAddress = descriptorOutputAddress(l);
  const seen = new Set<bigint>();
  const out: bigint[] = [];
  let tables = [rootTablePhys(l)];
  for (let level = l.levels - 1; level >= 0; level--) {
    const next: bigint[] = [];
    const bytes = 8 << levelIndexBits(l, level);
    for (const table of tables) {
      if (seen.has(table)) continue;
      seen.add(table);
      out.push(table);
      if (level === 0) continue;
      const b = await readPhys(Number(table), bytes);
      for (const e of new BigUint64Array(b.buffer.slice(b.byteOffset, b.byteOffset + bytes)))
        if ((e & TABLE_DESCRIPTOR) === TABLE_DESCRIPTOR) next.push(outputAddress(e));
    }
    tables = next;
  }
  return out;
}
