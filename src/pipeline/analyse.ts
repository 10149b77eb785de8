import { classifyDump, type ClassifyResult } from '../filter/classify-dump.js';
import { Outcome, outcomeTable, ZERO_BIT } from '../filter/dump-level.js';
import type { Dump, PfnRange } from '../model/dump.js';
import { isKdumpDump, type KdumpDump } from '../formats/kdump/read-kdump.js';
import { bitRuns } from '../formats/selection.js';
import type { PipelineInput } from './pipeline-input.js';
import type { ComputePool } from '../workers/pool.js';
import type { ProgressCallback } from './progress.js';
import { measureClasses, measureZeroPage, samplePlan, type SampleOptions } from './analyse-sample.js';
import { levelSizes, type LevelSizes } from './level-sizes.js';
import { CODECS } from '../codecs/registry.js';
import { codecOutput, OUTPUT_KINDS, type OutputKind } from './outputs.js';

export { OUTPUT_KINDS, type OutputKind, type LevelSizes };

export interface AnalyseResult {
  levels: LevelSizes[];
  /** True when anything was extrapolated from a sample (see `estimatedKinds`, `pagesEstimated`). */
  estimated: boolean;
  /** The outputs whose sizes were extrapolated from a sample; empty when every page was measured with every codec. */
  estimatedKinds: OutputKind[];
  /** True when zero pages, and so page counts, were extrapolated (only some windows were read). */
  pagesEstimated: boolean;
  /** About one non-zero page in this many was compressed (1: all of them). */
  measuredEvery: number;
  /** One window of pages in this many was read (1: every page; more: `pagesEstimated`). */
  sampledEvery: number;
  /** The classification, with zero bits for every page read. */
  classified: ClassifyResult;
  /** A kdump-compressed input's own dump level (undefined for an ELF vmcore, or a kdump file that does not record it). */
  inputLevel?: number;
  /** Pages of the input's memory that a kdump-compressed input does not hold (its level left them out). */
  lacking: number;
}

export interface AnalyseOptions extends SampleOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

const CODEC_KINDS = CODECS.map(codecOutput);

/**
 * The pages analyse can read: every page with data, less (for a kdump-compressed input) those its 2nd bitmap left
 * out. A page the input lacks is never measured, so it weighs nothing at any level.
 */
export function readableRanges(dump: Dump, classified: Pick<ClassifyResult, 'withData'>): PfnRange[] {
  if (!isKdumpDump(dump)) return classified.withData;
  const out: PfnRange[] = [];
  for (const r of classified.withData) for (const [start, end] of bitRuns(dump.bitmap2, r.start, Math.min(r.end, dump.maxPfn))) out.push({ start, end });
  return out;
}

/**
 * A page a kdump-compressed input lacks was left out by the input's level; one whose class that level keeps was left
 * out as a zero page (makedumpfile's class and ours differ there), so it gets the zero bit and every level that
 * includes the input's level leaves it out too. Returns how many pages the input lacks, and how many got the bit.
 */
function markLacking(classified: ClassifyResult, readable: readonly PfnRange[], inputLevel: number): { lacking: number; marked: number } {
  const map = classified.classMap;
  const keptByClass = outcomeTable(inputLevel & ~1);
  let lacking = 0;
  let marked = 0;
  let i = 0;
  for (const r of classified.withData)
    for (let pfn = r.start; pfn < r.end; ) {
      while (i < readable.length && readable[i]!.end <= pfn) i++;
      const next = i < readable.length ? readable[i]! : undefined;
      if (next && next.start <= pfn) {
        pfn = Math.min(r.end, next.end);
        continue;
      }
      const end = Math.min(r.end, next ? next.start : r.end);
      for (; pfn < end; pfn++) {
        lacking++;
        if (keptByClass[map[pfn]!] === Outcome.Kept) {
          map[pfn] |= ZERO_BIT;
          marked++;
        }
      }
    }
  return { lacking, marked };
}

/**
 * One pass over the dump gives the size of every output at every dump level: a page's class does not depend on the
 * level, so per-class sums of each codec's stored sizes (measured in the workers) decide every kdump size; ELF sizes
 * follow from makedumpfile's segment plan per level. Exact unless asked to sample (sampleEvery, measureEvery).
 */
export async function analyseDump(
  input: PipelineInput,
  pool: ComputePool,
  opts: AnalyseOptions = {},
): Promise<AnalyseResult> {
  const { dump } = input;
  const ps = dump.pageSize;
  const classified = input.classified ?? (await classifyDump(dump, input.km, input.kernels, { zeroScan: false, pool, signal: opts.signal }));
  const readable = readableRanges(dump, classified);
  const inputLevel = isKdumpDump(dump) ? inputDumpLevel(dump) : undefined;
  let lacking = 0;
  if (isKdumpDump(dump)) {
    const marked = markLacking(classified, readable, inputLevel ?? 31);
    lacking = marked.lacking;
    if (marked.marked > 0)
      classified.warnings.push({
        code: 'W_LACKING_KEPT',
        message: `${dump.source.name} lacks ${marked.marked} page${marked.marked > 1 ? 's' : ''} that dump level ${inputLevel ?? 31} keeps by class; they count as zero pages it left out.`,
      });
  }
  const plan = samplePlan(readable, ps, pool.windowPages, opts);
  const pagesEstimated = plan.sampleEvery > 1;
  const sizesEstimated = pagesEstimated || plan.measureEvery > 1;
  const seen = await measureClasses(dump, pool, classified.classMap, readable, plan, opts);
  if (!pagesEstimated) classified.zeroScanLevels = Array.from({ length: 16 }, (_, i) => 2 * i + 1);
  const zeroPageSizes = await measureZeroPage(pool, ps);
  const levels = levelSizes({ dump, classified, readable, seen, zeroPageSizes, pagesEstimated, sizesEstimated, inputLevel });
  const estimatedKinds: OutputKind[] = pagesEstimated ? [...OUTPUT_KINDS] : plan.measureEvery > 1 ? CODEC_KINDS : [];
  return { levels, estimated: estimatedKinds.length > 0, estimatedKinds, pagesEstimated, measuredEvery: plan.measureEvery, sampledEvery: plan.sampleEvery, classified, inputLevel, lacking };
}

/** The level a kdump-compressed input was filtered at, when its sub header records a valid one. */
function inputDumpLevel(dump: KdumpDump): number | undefined {
  const level = dump.subHeader?.dumpLevel;
  return level !== undefined && Number.isInteger(level) && level >= 0 && level <= 31 ? level : undefined;
}
