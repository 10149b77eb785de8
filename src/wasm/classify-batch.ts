import { TABLE_SLOTS } from '../kernel/page-layout.js';
import { bytesAt, type KernelExports } from './kernels.js';

/**
 * Pfns per classifier call: their records (256 KiB of 64-byte struct pages) are read and classified while they are
 * still in the core's cache. A third faster than 32768 on 4 and 128 GiB dumps.
 */
export const CLASSIFY_CHUNK_PAGES = 4096;

/** i64 slots of the classifier's state block (assembly/classify.ts S_*). */
export const STATE_SLOTS = 8;
const S_FREE_END = 0;
const S_COMP_END = 1;
const S_COMP_R = 2;
const S_ANOMALIES = 3;
const S_BAD_BUDDY = 4;
const S_BAD_BUDDY_PFN = 5;
const S_VISITED = 6;

/** The state a classification starts from: no range carried in, nothing counted. */
export function freshState(): BigInt64Array {
  const s = new BigInt64Array(STATE_SLOTS);
  s[S_BAD_BUDDY_PFN] = -1n;
  return s;
}

/** The first pfn no buddy block or compound page of the state reaches: batches from there on do not depend on it. */
export const carryEnd = (s: BigInt64Array): number => Math.max(Number(s[S_FREE_END]), Number(s[S_COMP_END]));

/** What the state counted: anomalies, free pages with a bad order (and the first of them), visited pages. */
export function stateCounts(s: BigInt64Array): { anomalies: number; badBuddy: number; badBuddyPfn: number; visited: number } {
  return { anomalies: Number(s[S_ANOMALIES]), badBuddy: Number(s[S_BAD_BUDDY]), badBuddyPfn: Number(s[S_BAD_BUDDY_PFN]), visited: Number(s[S_VISITED]) };
}

/**
 * `into` followed by a batch classified from a fresh state (`next`), valid when nothing of `into` carries past the
 * batch's first pfn: ranges are the batch's own, counters add, the first bad-order pfn is the earlier one.
 */
export function chainState(into: BigInt64Array, next: BigInt64Array): void {
  into[S_FREE_END] = next[S_FREE_END]!;
  into[S_COMP_END] = next[S_COMP_END]!;
  into[S_COMP_R] = next[S_COMP_R]!;
  into[S_ANOMALIES]! += next[S_ANOMALIES]!;
  into[S_BAD_BUDDY]! += next[S_BAD_BUDDY]!;
  if (into[S_BAD_BUDDY_PFN] === -1n) into[S_BAD_BUDDY_PFN] = next[S_BAD_BUDDY_PFN]!;
  into[S_VISITED]! += next[S_VISITED]!;
}

/** The classifier's fixed buffers in one wasm instance: layout table, state block and code output, grown on demand. */
export class BatchClassifier {
  private readonly table: number;
  private readonly state: number;
  private out = 0;
  private outBytes = 0;
  private recs = 0;
  private recsBytes = 0;

  constructor(private readonly k: KernelExports) {
    this.table = k.arenaAlloc(TABLE_SLOTS * 8) >>> 0;
    this.state = k.arenaAlloc(STATE_SLOTS * 8) >>> 0;
  }

  /** Where `bytes` of struct page records can be put in this instance's memory for run(). */
  records(bytes: number): number {
    if (this.recsBytes < bytes) [this.recs, this.recsBytes] = [this.k.arenaAlloc(bytes) >>> 0, bytes];
    return this.recs;
  }

  /**
   * Classifies pfns [pfn, pfn+count) from `state` (updated in place) with `nrecs` struct page records at `recs` in
   * this instance's memory; visit[i] is 0 for a pfn to visit, 0xff for one outside every PT_LOAD. Returns the codes
   * (a view: copy before the next call).
   */
  run(table: BigInt64Array, state: BigInt64Array, recs: number, nrecs: number, pfn: number, visit: Uint8Array): Uint8Array {
    const count = visit.length;
    if (this.outBytes < count) [this.out, this.outBytes] = [this.k.arenaAlloc(count) >>> 0, count];
    new BigInt64Array(this.k.memory.buffer, this.table, TABLE_SLOTS).set(table);
    new BigInt64Array(this.k.memory.buffer, this.state, STATE_SLOTS).set(state);
    bytesAt(this.k, this.out, count).set(visit);
    this.k.classifyPages(this.table, recs, nrecs, count, pfn, this.out, this.state);
    state.set(new BigInt64Array(this.k.memory.buffer, this.state, STATE_SLOTS));
    return bytesAt(this.k, this.out, count);
  }
}

const classifiers = new WeakMap<KernelExports, BatchClassifier>();

/** One classifier per wasm instance: its buffers are allocated once (the stub runtime never frees). */
export function batchClassifierFor(k: KernelExports): BatchClassifier {
  let c = classifiers.get(k);
  if (!c) classifiers.set(k, (c = new BatchClassifier(k)));
  return c;
}
