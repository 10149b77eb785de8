/** riscv64 page-table entries (the privileged spec's Sv39/48/57 PTE): the same format at every level. */
export const VALID = 1n;
/** R, W or X set: the entry maps memory (a leaf), at any level; none set: it points at the next table. */
const LEAF_BITS = 0b1110n;
/** Svnapot: a last-level leaf with N set maps 64 KiB (its PPN's low 4 bits, 0b1000, say so). */
const NAPOT = 1n << 63n;
const NAPOT_SHIFT = 16;
const PPN_SHIFT = 10n;
/** PPN, bits 53:10. */
const PPN_MASK = (1n << 44n) - 1n;
const PAGE_SHIFT = 12;
/** Tables are 512 entries of 8 bytes at every level. */
export const TABLE_BYTES = 4096;
const INDEX_BITS = 9;

export const isLeaf = (e: bigint) => (e & LEAF_BITS) !== 0n;

/** The physical address an entry holds: the next table's, or the start of what a leaf maps. */
export const entryPhys = (e: bigint) => ((e >> PPN_SHIFT) & PPN_MASK) << BigInt(PAGE_SHIFT);

/** The lowest VA bit the table at `level` (0: the last, which maps 4 KiB pages) indexes. */
export const levelShift = (level: number) => PAGE_SHIFT + INDEX_BITS * level;

/** Entry index of `va` in a table at `level`. */
export const tableIndex = (va: bigint, level: number) => Number((va >> BigInt(levelShift(level))) & 511n);

/**
 * log2 of what a leaf at `level` maps: 4 KiB, 2 MiB, 1 GiB, 512 GiB or 256 TiB, or 64 KiB for a NAPOT page
 * (makedumpfile masks N off and reads a NAPOT page as 4 KiB at a wrong address; the spec's reading is taken here).
 */
export const leafShift = (e: bigint, level: number) => (level === 0 && (e & NAPOT) !== 0n ? NAPOT_SHIFT : levelShift(level));
