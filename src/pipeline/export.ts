import type { CodecId } from '../codecs/registry.js';
import { classifyDump, type ClassifyResult } from '../filter/classify-dump.js';
import { dumpableBitmap } from '../filter/dump-level.js';
import { elfReportForLevel, reportForLevel, type PageReport } from '../filter/report.js';
import type { Dump } from '../model/dump.js';
import { writeElf } from '../formats/elf-out/write-elf.js';
import { isKdumpDump } from '../formats/kdump/read-kdump.js';
import { writeKdump } from '../formats/kdump/write-kdump.js';
import { bitmapBytes, setBitRange, type PageSelection } from '../formats/selection.js';
import type { ByteSink } from '../io/sink.js';
import type { PipelineInput } from './pipeline-input.js';
import type { ComputePool } from '../workers/pool.js';
import { poolEncoder } from './pool-encoder.js';
import { ProgressTracker, type ProgressCallback } from './progress.js';

export type OutputFormat = 'kdump' | 'elf';

export interface ExportOptions {
  level: number;
  format: OutputFormat;
  /** kdump page compression; none stores pages raw. ELF output is never compressed. */
  codec?: CodecId;
  /** Workers that compress; required with a codec. A promise lets them start while the pages are classified. */
  pool?: ComputePool | Promise<ComputePool>;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export interface ExportResult {
  report: PageReport;
  fileSize: number;
  warnings: ClassifyResult['warnings'];
}

/**
 * makedumpfile's 1st and 2nd bitmaps for a level; zero pages stay dumpable (the writers find them by content).
 * Re-filtering a kdump file keeps only pages the input still has.
 */
export function selectionFor(result: ClassifyResult, level: number, dump: Dump): PageSelection {
  const bitmap1 = new Uint8Array(bitmapBytes(result.maxPfn));
  for (const r of result.inDump) setBitRange(bitmap1, r.start, r.end);
  const bitmap2 = dumpableBitmap(result, level);
  if (isKdumpDump(dump)) for (let i = 0; i < bitmap2.length; i++) bitmap2[i] &= dump.bitmap2[i] ?? 0;
  return { maxPfn: result.maxPfn, bitmap1, bitmap2, excludeZero: (level & 1) !== 0 };
}

/**
 * The writers find zero pages by content while writing, so classification skips its zero scan: the report
 * is taken without bit 1 and completed with the zero pages the writer counted among the pages it kept.
 */
function completeReport(r: PageReport, level: number, zeroPages: number): PageReport {
  if (!(level & 1)) return r;
  return { ...r, level, zero: zeroPages, excluded: r.excluded + zeroPages, remaining: r.remaining - zeroPages };
}

/**
 * source → classify → plan → encode → sink: writes a filtered dump. The sink is closed on success and
 * aborted on any failure or cancel, so no file that looks complete is left behind.
 */
export async function exportDump(
  input: PipelineInput,
  sink: ByteSink,
  opts: ExportOptions,
): Promise<ExportResult> {
  const { dump } = input;
  try {
    const classified = input.classified ?? (await classifyDump(dump, input.km, input.kernels, { zeroScan: false, pool: opts.pool, signal: opts.signal }));
    const selection = selectionFor(classified, opts.level, dump);
    const totalBytes = classified.withData.reduce((n, r) => n + (r.end - r.start) * dump.pageSize, 0);
    const progress = new ProgressTracker('export', totalBytes, opts.onProgress);
    let last = 0;
    const advanceTo = (doneBytes: number) => {
      progress.advance(doneBytes - last);
      last = doneBytes;
    };
    // Counted now, while the workers may still be starting, rather than after the last page is written.
    const counted = (opts.format === 'elf' ? elfReportForLevel : reportForLevel)(classified, opts.level & ~1);
    let fileSize: number;
    let report: PageReport;
    if (opts.format === 'elf') {
      const r = await writeElf(dump, selection, sink, { signal: opts.signal, onProgress: (done, total) => advanceTo((done / total) * totalBytes) });
      fileSize = r.fileSize;
      report = completeReport(counted, opts.level, r.zeroPages);
    } else {
      const pool = await opts.pool;
      const encoder = opts.codec ? poolEncoder(requirePool(pool), opts.codec, dump) : undefined;
      const r = await writeKdump(dump, selection, sink, {
        dumpLevel: opts.level,
        encoder,
        inFlight: Math.max(4, (pool?.size ?? 1) * 2),
        // Big enough for few large reads (browser), small enough to keep every worker busy.
        batchPages: pool ? Math.min(2048, pool.windowPages / 2) : undefined,
        signal: opts.signal,
        onProgress: (done, total) => advanceTo((done / Math.max(1, total)) * totalBytes),
      });
      fileSize = r.fileSize;
      report = completeReport(counted, opts.level, r.zeroPages);
    }
    await sink.close();
    return {
      report,
      fileSize,
      warnings: classified.warnings,
    };
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

function requirePool(pool: ComputePool | undefined): ComputePool {
  if (!pool) throw new Error('exportDump: a compute pool is required to compress');
  return pool;
}
