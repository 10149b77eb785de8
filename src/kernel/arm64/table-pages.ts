import type { TableWalk } from '../page-tables.js';
import { descriptorOutputAddress, levelIndexBits, rootTablePhys, type Arm64Layout } from './layout.js';

/** Descriptor bits [1:0] of a table above the last level (0b01 there is a block, which ends a branch). */
const TABLE_DESCRIPTOR = 3n;

/**
 * The arm64 kernel tables from swapper_pg_dir, walked with the translator's layout: its levels, the entries the top
 * level indexes under vabits_actual, and its descriptor format.
 */
export function arm64TableWalk(l: Arm64Layout): TableWalk {
  const outputAddress = descriptorOutputAddress(l);
  return {
    root: rootTablePhys(l),
    levels: l.levels,
    tableBytes: (level) => 8 << levelIndexBits(l, level),
    next: (e) => ((e & TABLE_DESCRIPTOR) === TABLE_DESCRIPTOR ? outputAddress(e) : undefined),
  };
}
