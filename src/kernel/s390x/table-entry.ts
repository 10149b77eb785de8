// z/Architecture DAT table entries (the bits makedumpfile's s390x translation reads). Region and segment tables hold
// 2048 entries (16 KiB) at most, page tables 256 (2 KiB); entry fields: bits 0-1 the next table's length (TL, in
// 4 KiB units minus one), 2-3 the table type (TT: 3 region-first … 0 segment), 0x20 invalid, 0x400 large (a 1 MiB
// segment or 2 GiB region-third page), 0x100 change-recording override.
import type { ByteOrder } from '../../model/byte-order.js';

/** s390x is big-endian: its dumps, table entries and kernel structures. */
export const S390X_BYTE_ORDER: ByteOrder = 'big';

export const TABLE_BYTES = 4096;
/**
 * The root table's size: Linux allocates every region table whole (2048 entries). makedumpfile takes the root's length
 * from its first entry's TL field, which is the length of the table that entry points to: an empty first entry (as a
 * relocated identity map leaves it) would hide all but the first 512 entries.
 */
export const ROOT_TABLE_BYTES = 4 * TABLE_BYTES;
export const SEGMENT_LEVEL = 0;
export const REGION3_LEVEL = 1;

const INVALID = 0x20n;
const TYPE_MASK = 0x0cn;
const LENGTH_MASK = 0x03n;
const LARGE = 0x400n;
const CHANGE_OVERRIDE = 0x100n;
/** Page-table entry: bit 52 must be zero, and the hardware invalid bit. */
const PTE_ZERO = 0x800n;
const PTE_INVALID = 0x400n;

/** The table type an entry is of (TT), which the first entry of the root also tells of the whole table. */
export const entryLevel = (e: bigint): number => Number((e & TYPE_MASK) >> 2n);
export const entryTableLength = (e: bigint): number => Number(e & LENGTH_MASK);
export const isLarge = (e: bigint): boolean => (e & LARGE) !== 0n;
export const isInvalid = (e: bigint): boolean => (e & INVALID) !== 0n;
export const pteInvalid = (pte: bigint): boolean => (pte & (PTE_ZERO | PTE_INVALID)) !== 0n;
/** A region entry's next-table origin (4 KiB aligned). */
export const regionOrigin = (e: bigint): bigint => e & ~0xfffn;
/** A segment entry's page-table origin (2 KiB aligned). */
export const segmentOrigin = (e: bigint): bigint => e & ~0x7ffn;

/** Bits makedumpfile requires to be zero in a region (level ≥ 1) or segment (level 0) entry: set, the entry is corrupt. */
export function reservedBits(e: bigint, level: number): bigint {
  const allowed = INVALID | TYPE_MASK | LENGTH_MASK | LARGE | CHANGE_OVERRIDE | (level > 0 ? ~0xfffn : ~0x7ffn);
  return BigInt.asUintN(64, e & ~allowed);
}
