import type { PhysReader } from '../model/architecture.js';

/** 16 MiB of tables: the whole vmemmap's of a 128 GiB machine with 4 KiB pages, twice over. */
const TABLE_CACHE_BYTES = 16 * 1024 * 1024;

/** Page-table granules read once and kept, up to a byte budget: a dump does not change under a walk. */
export class TableCache {
  private readonly granules = new Map<bigint, BigUint64Array>();

  constructor(
    private readonly readPhys: PhysReader,
    private readonly granuleBytes: number,
    private readonly budgetBytes = TABLE_CACHE_BYTES,
  ) {}

  /** Entry `index` of the table at `tablePhys`, reading and keeping the whole granule it lies in. */
  async entry(tablePhys: bigint, index: number): Promise<bigint> {
    const at = tablePhys + BigInt(index * 8);
    const granule = at & ~BigInt(this.granuleBytes - 1);
    let t = this.granules.get(granule);
    if (!t) {
      t = await readEntries(this.readPhys, granule, this.granuleBytes);
      if (this.granules.size * this.granuleBytes >= this.budgetBytes) this.granules.clear();
      this.granules.set(granule, t);
    }
    return t[Number(at - granule) / 8]!;
  }
}

async function readEntries(readPhys: PhysReader, phys: bigint, bytes: number): Promise<BigUint64Array> {
  const b = await readPhys(Number(phys), bytes);
  return new BigUint64Array(b.buffer.slice(b.byteOffset, b.byteOffset + bytes));
}

/** How to walk one architecture's kernel tables level by level, `levels - 1` (the root) down to 0 (the last). */
export interface TableWalk {
  root: bigint;
  levels: number;
  /** Bytes of a table at `level`. */
  tableBytes(level: number): number;
  /** The table an entry of a table at `level` (above 0) points at; undefined when it is invalid or a leaf. */
  next(entry: bigint, level: number): bigint | undefined;
  /** Whether a table can be read at all (undefined: every one can). */
  readable?(table: bigint): boolean;
}

/** Physical addresses of every page-table page reachable from the root (the root included), each once. */
export async function reachableTables(readPhys: PhysReader, walk: TableWalk): Promise<bigint[]> {
  const seen = new Set<bigint>();
  const out: bigint[] = [];
  let tables = [walk.root];
  for (let level = walk.levels - 1; level >= 0; level--) {
    const next: bigint[] = [];
    for (const table of tables) {
      if (seen.has(table) || walk.readable?.(table) === false) continue;
      seen.add(table);
      out.push(table);
      if (level === 0) continue;
      for (const e of await readEntries(readPhys, table, walk.tableBytes(level))) {
        const to = walk.next(e, level);
        if (to !== undefined) next.push(to);
      }
    }
    tables = next;
  }
  return out;
}
