import type { PhysReader } from '../../model/architecture.js';
import { PAGE_PTE, TABLE_FLAG_BITS, tableIndexBits, type Ppc64Layout } from './layout.js';

/**
 * Physical addresses of every page-table page reachable from swapper_pg_dir (the root included), in the layout of
 * the MMU the kernel ran (entries big-endian; an upper-level entry with PAGE_PTE maps a huge page and ends a branch).
 */
export async function ppc64TablePages(readPhys: PhysReader, l: Ppc64Layout, radix: boolean, rootPhys: number): Promise<bigint[]> {
  const bits = tableIndexBits(l, radix);
  const seen = new Set<bigint>();
  const out: bigint[] = [];
  let tables = [BigInt(rootPhys)];
  for (let level = 0; level < bits.length; level++) {
    const next: bigint[] = [];
    const bytes = 8 << bits[level];
    for (const table of tables) {
      if (seen.has(table)) continue;
      seen.add(table);
      out.push(table);
      if (level === bits.length - 1) continue;
      const b = await readPhys(Number(table), bytes);
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < bytes; i += 8) {
        const e = v.getBigUint64(i, false);
        if (e !== 0n && (e & PAGE_PTE) === 0n) next.push(e & ~TABLE_FLAG_BITS);
      }
    }
    tables = next;
  }
  return out;
}
