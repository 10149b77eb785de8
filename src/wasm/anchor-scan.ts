import { bytesAt, type KernelExports } from './kernels.js';

/** Hits a kernel call may report before it returns for the caller to take them. */
const HIT_CAPACITY = 1 << 16;

/** One anchor hit: the byte offset and the rule (index into the rule table) that holds there. */
export interface AnchorHit {
  offset: number;
  rule: number;
}

/** The anchor search of assembly/anchors.ts over bytes already in this instance's memory, with a fixed rule table. */
export class AnchorScanner {
  private readonly rules: number;
  private readonly nRules: number;
  private readonly out: number;

  constructor(
    private readonly k: KernelExports,
    rules: Uint8Array,
  ) {
    this.nRules = rules.length / 8;
    // The kernel keeps each rule's bounds as vectors after the table: 64 bytes a rule.
    this.rules = k.arenaAlloc(rules.length + this.nRules * 64) >>> 0;
    bytesAt(k, this.rules, rules.length).set(rules);
    this.out = k.arenaAlloc(8 + HIT_CAPACITY * 8) >>> 0;
  }

  /** Every hit in the `len` bytes at `ptr`, in offset order (several rules at one offset in rule order). */
  *hits(ptr: number, len: number): Generator<AnchorHit> {
    for (let from = 0; from < len; ) {
      const n = this.k.findAnchors(ptr, len, from, this.rules, this.nRules, this.out, HIT_CAPACITY);
      const words = new Uint32Array(this.k.memory.buffer, this.out, 2 + n * 2).slice();
      for (let i = 0; i < n; i++) yield { offset: words[2 + 2 * i]!, rule: words[3 + 2 * i]! };
      from = words[0]!;
    }
  }
}
