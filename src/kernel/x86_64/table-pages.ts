import type { Dump } from '../../formats/dump.js';
import type { X86_64Paging } from './translate.js';

const ENTRY_ADDR_MASK = 0x000ffffffffff000n;
const PRESENT = 1n;
const PSE = 0x80n;

/**
 * Physical addresses of every page-table page reachable from the kernel's root table (the root included): the
 * pages a debugger walks to read any kernel virtual address. Large-page entries (1 GiB, 2 MiB) end a branch.
 */
export async function x86_64TablePages(dump: Dump, paging: X86_64Paging): Promise<bigint[]> {
  const maxPhys = BigInt(Math.max(...dump.loads.map((l) => l.physEnd)));
  const mask = ENTRY_ADDR_MASK & ~paging.smeMask;
  const seen = new Set<bigint>();
  const out: bigint[] = [];
  let level: bigint[] = [paging.rootTablePhys];
  for (let depth: number = paging.levels; depth >= 1; depth--) {
    const next: bigint[] = [];
    for (const table of level) {
      if (seen.has(table) || table + 4096n > maxPhys) continue;
      seen.add(table);
      out.push(table);
      if (depth === 1) continue;
      const b = await dump.readPhys(Number(table), 4096);
      const entries = new BigUint64Array(b.buffer.slice(b.byteOffset, b.byteOffset + 4096));
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
