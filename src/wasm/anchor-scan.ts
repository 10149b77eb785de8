import { bytesAt, type KernelExports } from './kernels.js';

/** Hits a kernel call may report before it returns for the caller to take them. */
const HIT_CAPACITY = 1 << 16;

/** One anchor hit: where its match would start, and the rule (index into the table's rules) that holds there. */
export interface AnchorHit {
  offset: number;
  rule: number;
}

/** The anchor search of assembly/anchors.ts over bytes already in this instance's memory, with a fixed table. */
export class AnchorScanner {
  private readonly table: number;
  private readonly out: number;

  /** `table` as src/secrets/anchor-table.ts builds it, holding `rules` rules. */
  constructor(
    private readonly k: KernelExports,
    table: Uint8Array,
    private readonly rules: number,
  ) {
    this.table = k.arenaAlloc(table.length) >>> 0;
    bytesAt(k, this.table, table.length).set(table);
    this.out = k.arenaAlloc(8 + HIT_CAPACITY * 8) >>> 0;
  }

  /**
   * Every hit in the `len` bytes at `ptr` whose key starts in [from, stop), in the order of their keys' offsets
   * (several at one offset in rule order), added to `found`. An array, not a generator: the scan calls this tens of
   * thousands of times per GiB (once per run of non-zero pages), almost always for no hit.
   */
  hits(ptr: number, len: number, from = 0, stop = len, found: AnchorHit[] = []): AnchorHit[] {
    while (from < stop) {
      const n = this.k.findAnchors(ptr, len, from, stop, this.table, this.rules, this.out, HIT_CAPACITY);
      // Without a hit the kernel went on to `stop` (it returns early only with its hit buffer nearly full).
      if (n === 0) break;
      const words = new Uint32Array(this.k.memory.buffer, this.out, 2 + n * 2);
      for (let i = 0; i < n; i++) found.push({ offset: words[2 + 2 * i]!, rule: words[3 + 2 * i]! });
      from = words[0]!;
    }
    return found;
  }
}
