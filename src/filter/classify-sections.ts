import type { KernelExports } from '../wasm/kernels.js';
import type { DumpWarning } from '../api-types.js';
import type { Dump, PfnRange } from '../model/dump.js';
import { byteExtents } from '../model/page-extents.js';
import type { KernelMemory } from '../kernel/kernel-memory.js';
import type { MemSection } from '../kernel/mem-section.js';
import { encodePageLayoutTable, type PageLayout } from '../kernel/page-layout.js';
import { batchClassifierFor, carryEnd, chainState, CLASSIFY_CHUNK_PAGES, freshState, stateCounts, type BatchClassifier } from '../wasm/classify-batch.js';
import type { ClassifiedBatch, ClassifyTask } from '../workers/page-compute.js';

/** A batch of a section's pfns (records at vaddr, nrecs of them: none where no pfn is in the dump). */
export type Batch = { pfn: number; count: number; nrecs: number; vaddr: bigint };
/** The pfns between two sections (or after the last). */
export type Gap = { from: number; to: number };

export const isBatch = (w: Batch | Gap): w is Batch => 'vaddr' in w;

/** The struct page classification's counters that classifyDump reports (ClassifyStats' share of them). */
export interface SectionStats {
  structPagesRead: number;
  wasmCalls: number;
}

/** The classification's work in pfn order: each section's batches, with the gap before it and the one after the last. */
export function* sectionWork(sections: readonly MemSection[], structSize: number, batch: number, maxPfn: number, visited: readonly PfnRange[]): Generator<Batch | Gap> {
  let prevEnd = 0;
  for (const sec of sections) {
    if (prevEnd < sec.pfnStart) yield { from: prevEnd, to: sec.pfnStart };
    for (let pfn = sec.pfnStart; pfn < sec.pfnEnd; pfn += batch) {
      const count = Math.min(batch, sec.pfnEnd - pfn);
      // One extra record: page[1] of a head at the batch end (makedumpfile reads it from the same mem_map).
      const nrecs = overlaps(visited, pfn, pfn + count) ? (pfn + count < sec.pfnEnd ? count + 1 : count) : 0;
      yield { pfn, count, nrecs, vaddr: sec.memMapVaddr + BigInt((pfn - sec.pfnStart) * structSize) };
    }
    prevEnd = sec.pfnEnd;
  }
  yield { from: prevEnd, to: maxPfn };
}

/**
 * The sections' struct pages classified in pfn order into a class map. A buddy block or compound page can reach past
 * a batch's end, so each batch starts from the state the batches before it left (the running state). A batch is
 * either classified here from that state, or by a worker from a fresh state and then merged: chained onto the running
 * state, or classified again here when a block of the batches before it reaches into it (rare: blocks are aligned to
 * their size). Which batch goes where, and when, is the caller's schedule; every batch must be taken in pfn order.
 */
export interface SectionClassifierInput {
  dump: Dump;
  km: KernelMemory;
  kernels: KernelExports;
  layout: PageLayout;
  /** Filled in: one class code per pfn. */
  classMap: Uint8Array;
  /** The pfns in some PT_LOAD's file data (the others are not visited). */
  visited: readonly PfnRange[];
  stats: SectionStats;
  /** Pfns per batch: a gap's carried pfns are classified this many at a time too. */
  batchPages: number;
  /** The sections' pfns: progress counts them, not the pfns between sections that a carried block covers. */
  total: number;
  onProgress?: (done: number, total: number) => void;
}

export class SectionClassifier {
  private readonly state = freshState();
  private readonly table: BigInt64Array;
  private readonly classifier: BatchClassifier;
  private readonly recs: number;
  private readonly structSize: number;
  private done = 0;

  constructor(private readonly c: SectionClassifierInput) {
    this.table = encodePageLayoutTable(c.layout, c.dump.arch.byteOrder);
    this.classifier = batchClassifierFor(c.kernels);
    this.structSize = c.layout.structPageSize;
    this.recs = this.classifier.records((Math.min(c.batchPages, CLASSIFY_CHUNK_PAGES) + 1) * this.structSize);
  }

  /** The task a worker classifies `b` by, reading its records from the dump itself. */
  async task(b: Batch): Promise<ClassifyTask> {
    const runs = await this.c.km.physRuns(b.vaddr, b.nrecs * this.structSize);
    return { table: this.table, records: byteExtents(this.c.dump, runs)!, nrecs: b.nrecs, pfnStart: b.pfn, visit: this.visitFlags(b.pfn, b.count) };
  }

  /** Takes a worker's classification of `b`, whose turn it is. */
  async merge(b: Batch, r: ClassifiedBatch): Promise<void> {
    if (carryEnd(this.state) > b.pfn) return this.here(b);
    chainState(this.state, r.state);
    this.c.stats.structPagesRead += Math.min(b.count, b.nrecs);
    this.accept(b.pfn, r.codes, true);
  }

  /** Classifies `b` here, from the running state, a chunk at a time (records read into this instance's memory). */
  async here(b: Batch, inSection = true): Promise<void> {
    const { recs, structSize } = this;
    const memory = this.c.kernels.memory;
    for (let at = 0; at < b.count; at += CLASSIFY_CHUNK_PAGES) {
      const pfn = b.pfn + at;
      const count = Math.min(CLASSIFY_CHUNK_PAGES, b.count - at);
      // The batch's records run one past its pfns where its section goes on: so does every chunk's but the last.
      const nrecs = b.nrecs === 0 ? 0 : Math.min(count + 1, b.nrecs - at);
      if (nrecs > 0) {
        await this.c.km.readVirt(b.vaddr + BigInt(at * structSize), nrecs * structSize, () => new Uint8Array(memory.buffer, recs, nrecs * structSize));
        this.c.stats.structPagesRead += Math.min(count, nrecs);
      }
      this.accept(pfn, this.classifier.run(this.table, this.state, recs, nrecs, pfn, this.visitFlags(pfn, count)), inSection);
    }
  }

  /** Classifies the pfns of `g`, which have no mem_map, that a buddy block or compound page of the previous section still covers. */
  async gap(g: Gap): Promise<void> {
    const end = Math.min(g.to, carryEnd(this.state), this.c.classMap.length);
    for (let p = g.from; p < end; p += this.c.batchPages) await this.here({ pfn: p, count: Math.min(this.c.batchPages, end - p), nrecs: 0, vaddr: 0n }, false);
  }

  /** Pages visited, and what the classification found wrong with the struct pages once every batch was taken. */
  finish(): { visitedPages: number; warnings: DumpWarning[] } {
    const { anomalies, badBuddy, badBuddyPfn, visited } = stateCounts(this.state);
    const warnings: DumpWarning[] = [];
    if (badBuddy > 0)
      warnings.push({
        code: 'W_INVALID_FREE_ORDER',
        message: `${badBuddy} free page${badBuddy > 1 ? 's have' : ' has'} a buddy order >= LENGTH(zone.free_area)=${this.c.layout.freeAreaLength} (first at pfn 0x${badBuddyPfn.toString(16)}); like makedumpfile, ${badBuddy > 1 ? 'they are' : 'it is'} kept even when free pages are excluded.`,
      });
    if (anomalies > 0)
      warnings.push({
        code: 'W_COMPOUND_INCONSISTENT',
        message: `${anomalies} page${anomalies > 1 ? 's' : ''} inside compound pages ${anomalies > 1 ? 'are' : 'is'} not marked as tail pages (a torn struct page array?): ${anomalies > 1 ? 'they follow' : 'it follows'} the head's class, which can differ from makedumpfile at levels where the head is kept.`,
      });
    return { visitedPages: visited, warnings };
  }

  private accept(pfn: number, codes: Uint8Array, inSection: boolean): void {
    this.c.classMap.set(codes, pfn);
    this.c.stats.wasmCalls++;
    if (!inSection) return;
    this.done += codes.length;
    this.c.onProgress?.(this.done, this.c.total);
  }

  private visitFlags(pfn: number, count: number): Uint8Array {
    const flags = new Uint8Array(count);
    fillVisitFlags(flags, pfn, this.c.visited);
    return flags;
  }
}

function overlaps(ranges: readonly PfnRange[], start: number, end: number): boolean {
  for (const r of ranges) if (r.start < end && start < r.end) return true;
  return false;
}

/** out[i] = 0 where pfn start+i is in some PT_LOAD's file data (visit it), 0xff elsewhere. */
function fillVisitFlags(out: Uint8Array, start: number, visited: readonly PfnRange[]): void {
  out.fill(0xff);
  const end = start + out.length;
  for (const r of visited) {
    if (r.end <= start || r.start >= end) continue;
    out.fill(0, Math.max(r.start, start) - start, Math.min(r.end, end) - start);
  }
}
