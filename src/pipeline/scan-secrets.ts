import type { ClassifyResult } from '../filter/classify-dump.js';
import { classOutcome, checkLevel, Outcome } from '../filter/dump-level.js';
import { OVERVIEW_CLASSES } from '../filter/class-overview.js';
import { bitRuns } from '../formats/selection.js';
import { pageExtents, readRuns, type PfnRun } from '../model/page-extents.js';
import { SECRET_PATTERNS, type SecretCategory } from '../secrets/patterns.js';
import type { RawFinding } from '../secrets/find-secrets.js';
import type { KernelObjects } from '../secrets/kernel-objects.js';
import type { ComputePool } from '../workers/pool.js';
import { mapOrdered } from '../workers/ordered.js';
import { selectionFor } from './export.js';
import type { PipelineInput } from './pipeline-input.js';
import { ProgressTracker, type ProgressCallback } from './progress.js';

/** The level bits a class can be dropped by (bit 1 drops only all-zero pages, which hold nothing to find). */
const CLASS_BITS = [2, 4, 8, 16] as const;

export interface SecretFinding {
  kind: string;
  category: SecretCategory;
  /** Physical address of the first byte. */
  paddr: number;
  pfn: number;
  /** Bytes the finding covers (it may run on into the next page). */
  length: number;
  /** The page's class as -d 31 sees it ('kept' = kernel memory every level keeps). */
  pageClass: (typeof OVERVIEW_CLASSES)[number];
  /** Dump level bits that would drop the page (empty: every level keeps it). */
  droppedBy: number[];
  /** The first and last characters only. */
  masked: string;
  /** The kernel object it lies in, where the kernel can tell (a symbol, the log buffer). */
  object?: string;
}

export interface SecretScanResult {
  level: number;
  /** Pages the level keeps, all of them searched. */
  scannedPages: number;
  patterns: { kind: string; category: SecretCategory; label: string }[];
  findings: SecretFinding[];
  /** The classification's warnings (what it could not tell about some pages). */
  warnings: ClassifyResult['warnings'];
  /**
   * Matches left out because they lie in the kernel image's text or read-only data, or are copies of such a match:
   * the same in every copy of the kernel build (crypto self-test keys, maintainers' addresses).
   */
  builtIn: number;
}

export interface SecretScanOptions {
  level: number;
  pool: ComputePool;
  /** What the kernel's symbol table says about an address. */
  objects: KernelObjects;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/** The patterns the scan uses, as every result lists them. */
export const scanPatterns = (): SecretScanResult['patterns'] => SECRET_PATTERNS.map(({ kind, category, label }) => ({ kind, category, label }));

/** A task's page runs, at most `maxPages` pages in all (a longer run is cut; a match across the cut is not found). */
function* scanTasks(runs: Iterable<PfnRun>, maxPages: number): Generator<PfnRun[]> {
  let task: PfnRun[] = [];
  let pages = 0;
  for (let [start, end] of runs)
    while (start < end) {
      const n = Math.min(end - start, maxPages - pages);
      task.push([start, start + n]);
      pages += n;
      start += n;
      if (pages === maxPages) {
        yield task;
        task = [];
        pages = 0;
      }
    }
  if (task.length > 0) yield task;
}

/** Where a task's byte offset lies in physical memory. */
function paddrOf(task: readonly PfnRun[], offset: number, pageSize: number): number {
  let at = 0;
  for (const [start, end] of task) {
    const len = (end - start) * pageSize;
    if (offset < at + len) return start * pageSize + offset - at;
    at += len;
  }
  throw new RangeError(`offset ${offset} is past the task's pages`);
}

/**
 * Searches every page `opts.level` keeps for the patterns of SECRET_PATTERNS, in the pool's workers (which read the
 * pages themselves when they can). Findings carry masked text only.
 */
export async function scanSecrets(input: PipelineInput & { classified: ClassifyResult }, opts: SecretScanOptions): Promise<SecretScanResult> {
  checkLevel(opts.level);
  const { dump, classified } = input;
  const ps = dump.pageSize;
  const { bitmap2, maxPfn } = selectionFor(classified, opts.level & ~1, dump);
  let scannedPages = 0;
  for (const [s, e] of bitRuns(bitmap2, 0, maxPfn)) scannedPages += e - s;
  const progress = new ProgressTracker('scan', scannedPages * ps, opts.onProgress);
  const pool = opts.pool;
  const scan = async (task: PfnRun[]): Promise<{ task: PfnRun[]; found: RawFinding[] }> => {
    const count = task.reduce((n, [s, e]) => n + e - s, 0);
    const pages = pageExtents(dump, task) ?? ((await readRuns(dump, task, count)).buffer as ArrayBuffer);
    const runs = Uint32Array.from(task, ([s, e]) => e - s);
    return { task, found: await pool.run((api) => api.scanSecrets(pages, runs)) };
  };
  const raw: Array<RawFinding & { paddr: number }> = [];
  for await (const { task, found } of mapOrdered(scanTasks(bitRuns(bitmap2, 0, maxPfn), pool.windowPages), pool.size * 2, scan, opts.signal)) {
    for (const f of found) raw.push({ ...f, paddr: paddrOf(task, f.offset, ps) });
    progress.advance(task.reduce((n, [s, e]) => n + e - s, 0) * ps);
  }
  // Copies of the kernel's own bytes (kexec's image buffer, the capture kernel) are as public as the image itself.
  const builtInDigests = new Set(raw.filter((f) => opts.objects.builtIn(f.paddr)).map((f) => f.digest));
  const findings = raw.filter((f) => !builtInDigests.has(f.digest)).map((f): SecretFinding => {
    const pfn = Math.floor(f.paddr / ps);
    const code = classified.classMap[pfn]!;
    const p = SECRET_PATTERNS[f.pattern]!;
    return {
      kind: p.kind,
      category: p.category,
      paddr: f.paddr,
      pfn,
      length: f.length,
      pageClass: OVERVIEW_CLASSES[classOutcome(code, 31)],
      droppedBy: CLASS_BITS.filter((bit) => classOutcome(code, bit) !== Outcome.Kept),
      masked: f.masked,
      object: opts.objects.objectAt(f.paddr),
    };
  });
  const builtIn = raw.length - findings.length;
  return { level: opts.level, scannedPages, patterns: scanPatterns(), findings, builtIn, warnings: classified.warnings };
}
