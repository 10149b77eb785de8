import type { PhysReader } from '../../model/architecture.js';
import { ENTRY_ADDR_MASK, PRESENT, PSE, TABLE_BYTES } from './page-entry.js';
import type { X86_64Paging } from './translate.js';

/**
 * Physical addresses of every page-table page reachable from the kernel's root table (the root included), below
 * `maxPhys`: the pages a debugger walks to read any kernel virtual address. Large-page entries (1 GiB, 2 MiB) end a
 * branch.
 */
export async function x86_64TablePages(readPhys: PhysReader, paging: X86_64Paging, maxPhys: bigint): Promise<bigint[]> {
  const mask = ENTRY_ADDR_MASK & ~paging.smeMask;
  const seen = new Set<bigint>();
  const out: bigint[] = [];
  let level: bigint[] = [paging.rootTablePhys];
  for (let depth: number = paging.levels; depth >= 1; depth--) {
    const next: bigint[] = [];
    for (const table of level) {
      if (seen.has(table) || table + BigInt(TABLE_BYTES) > maxPhys) continue;
      seen.add(table);
      out.push(table);
      if (depth === 1) continue;
      const b = await readPhys(Number(table), TABLE_BYTES);
      const entries = new BigUint64Array(b.buffer.slice(b.byteOffset, b.byteOffset + TABLE_BYTES));
      for (const e of entries) {
        if ((e & PRESENT) === 0n) continue;
        if (depth <= 3 && (e & PSE) !== 0n) continue;
        next.push(e & mask);
      }
    }
    level = next;
  }
  return out;
}
