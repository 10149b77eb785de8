/** The physical-address bits of an x86_64 page-table entry (before the SME encryption bit is masked off). */
export const ENTRY_ADDR_MASK = 0x000ffffffffff000n;
export const PRESENT = 1n;
/** Page size: the entry maps a 1 GiB (PUD) or 2 MiB (PMD) page instead of pointing at a table. */
export const PSE = 0x80n;
/** x86_64 page tables are 512 entries at every level, whatever the page size. */
export const TABLE_BYTES = 4096;
