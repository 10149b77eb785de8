import type { TableWalk } from '../page-tables.js';
import { ENTRY_ADDR_MASK, PRESENT, PSE, TABLE_BYTES } from './page-entry.js';
import type { X86_64Paging } from './translate.js';

/**
 * The x86_64 kernel tables from the root, those below `maxPhys`: the pages a debugger walks to read any kernel virtual
 * address. Large-page entries (1 GiB, 2 MiB) end a branch.
 */
export function x86_64TableWalk(paging: X86_64Paging, maxPhys: bigint): TableWalk {
  const mask = ENTRY_ADDR_MASK & ~paging.smeMask;
  return {
    root: paging.rootTablePhys,
    levels: paging.levels,
    tableBytes: () => TABLE_BYTES,
    next: (e, level) => ((e & PRESENT) === 0n || (level <= 2 && (e & PSE) !== 0n) ? undefined : e & mask),
    readable: (table) => table + BigInt(TABLE_BYTES) <= maxPhys,
  };
}
