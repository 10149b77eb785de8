/// <reference lib="webworker" />
/**
 * The library in a dedicated worker: the page hands over a File (structured-cloned, still disk-backed) and gets
 * plain DumpInfo back. Only headers and notes are read here; no byte of the dump ever reaches the UI thread.
 */
import * as Comlink from 'comlink';
import {
  BlobSource,
  crashContext,
  type CrashContext,
  describeDump,
  type DmesgLayout,
  type DmesgRecord,
  type DmesgWarning,
  type Dump,
  type DumpInfo,
  installErrorTransfer,
  measureCompressSpeeds,
  openDumps,
  readableRanges,
  ReadAheadSource,
  readDmesg,
  samplePages,
  type Speeds,
} from '../../src/browser.js';
import { classMapOf, stopClassMap, type ClassMapProgress, type ClassMapProgressCallback, type ClassMapSummary } from './class-map-job.js';
import * as jobs from './jobs.js';
import { keepCounts, keepLevel, type KeepCounts, type KeepLevel } from './keep-check-job.js';
import { dropLevelViews, levelViewOf, type LevelView, type LevelViewRequest } from './level-view-job.js';
import type { AnalyseRequest, AnalyseSummary, ExportRequest, ExportSummary, ExportTarget, Progress } from './jobs.js';

export type {
  AnalyseRequest,
  AnalyseSummary,
  ClassMapProgress,
  ClassMapSummary,
  ExportRequest,
  ExportSummary,
  ExportTarget,
  KeepCounts,
  KeepLevel,
  LevelView,
  LevelViewRequest,
  Progress,
};

installErrorTransfer();

let current: Dump | undefined;

/** The kernel log of the open dump and what it says about the crash; plain structured-cloneable data (bigints included). */
export interface DumpLog {
  /** null when the log could not be read (no VMCOREINFO, memory missing, …): see `error`. */
  layout: DmesgLayout | null;
  /** Records in log order. Empty for the pre-3.5 plain-text layout: then `plainLines` holds the text. */
  records: DmesgRecord[];
  plainLines: string[] | null;
  /** The log exactly as `makedumpfile --dump-dmesg` writes it, as bytes, ready to save. */
  logBlob: Blob | null;
  complete: boolean;
  warnings: DmesgWarning[];
  error: { code: string; message: string } | null;
  /** From the log and the CPU notes; still has the crashing CPU's registers when the log could not be read. */
  crash: CrashContext;
}

/** A latin1 string (one char per byte) as the bytes it stands for. */
function latin1Bytes(s: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const api = {
  /**
   * Detects the format, reads the structure and describes the dump; several files are one makedumpfile --split set.
   * Throws VmsieveError (with `code`) on bad input.
   */
  async openFiles(files: File[]): Promise<DumpInfo> {
    current = undefined;
    stopClassMap();
    dropLevelViews();
    // Blob reads cost a round trip each: runs of small forward reads are served from read-ahead windows.
    const dump = await openDumps(files.map((f) => new ReadAheadSource(new BlobSource(f, f.name))));
    const info = await describeDump(dump);
    current = dump;
    return info;
  },
  /** The kernel log of the dump opened last, with the crash context. Never throws for an unreadable log. */
  async readLog(): Promise<DumpLog> {
    const dump = current;
    if (!dump) throw new Error('No dump is open');
    try {
      const r = await readDmesg(dump);
      return {
        layout: r.layout,
        records: r.records,
        plainLines: r.records.length === 0 && r.log ? r.log.replace(/\n$/, '').split('\n') : null,
        logBlob: new Blob([latin1Bytes(r.log)], { type: 'text/plain' }),
        complete: r.complete,
        warnings: r.warnings,
        error: null,
        crash: crashContext(r.records, dump),
      };
    } catch (e) {
      const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'E_UNEXPECTED';
      return {
        layout: null,
        records: [],
        plainLines: null,
        logBlob: null,
        complete: false,
        warnings: [],
        error: { code, message: e instanceof Error ? e.message : String(e) },
        crash: crashContext([], dump),
      };
    }
  },
  /** Forgets the open dump (the File stays owned by the page). */
  close(): void {
    current = undefined;
    stopClassMap();
  },
  /** Whether a dump is open; for tests and future steps (filter, export) that work on it. */
  hasDump(): boolean {
    return current !== undefined;
  },
  /**
   * Exact (or, with `sampleEvery` > 1, estimated) output sizes of the open dump at every level for every output,
   * measured by `workers` compute workers. Progress arrives through `onProgress` (a Comlink.proxy), a few times a second.
   */
  async analyse(req: AnalyseRequest, onProgress?: (p: Progress) => void): Promise<AnalyseSummary> {
    return jobs.analyse(openDumpOrThrow(), req, onProgress);
  },
  /**
   * Writes the open dump filtered at `req.level` to `target`: a FileSystemFileHandle from the save dialog, or 'opfs'
   * (the result's `file` is then the finished file, for a download). The output is aborted on failure or cancel.
   */
  async export(req: ExportRequest, target: ExportTarget, onProgress?: (p: Progress) => void): Promise<ExportSummary> {
    return jobs.exportTo(openDumpOrThrow(), req, target, onProgress);
  },
  /**
   * Every page of the open dump classified as makedumpfile -d 31 sees it (zero pages included), counted in at most
   * `buckets` buckets over the pfn range. Runs beside analyse/export; `onProgress` (a Comlink.proxy) returning false
   * stops it, and so does opening or closing a dump or a newer call.
   */
  async classOverview(buckets: number, onProgress?: ClassMapProgressCallback): Promise<ClassMapSummary> {
    const r = await classMapOf(openDumpOrThrow(), buckets, onProgress);
    return Comlink.transfer(r, [r.overview.counts.buffer]);
  },
  /** How many pages crash and drgn need each dump level leaves out (kallsyms data, stacks, page tables, per-cpu areas). */
  async keepCounts(): Promise<KeepCounts> {
    return keepCounts(openDumpOrThrow());
  },
  /** The needed pages `level` leaves out, with what lives there and the class that drops it. */
  async keepLevel(level: number): Promise<KeepLevel> {
    return keepLevel(openDumpOrThrow(), level);
  },
  /** What `req.level` keeps and drops over pfns [start, end), in at most `req.buckets` cells (after the class map is made). */
  levelView(req: LevelViewRequest): LevelView {
    const v = levelViewOf(openDumpOrThrow(), req);
    return Comlink.transfer(v, [v.counts.buffer]);
  },
  /** Bytes per second each codec compresses pages of the open dump at, on this worker's one thread. */
  async codecSpeeds(): Promise<Speeds['compress']> {
    const dump = openDumpOrThrow();
    const [{ kernels }, classified] = await Promise.all([jobs.openedFor(dump), jobs.classificationFor(dump)]);
    return measureCompressSpeeds(kernels, await samplePages(dump, readableRanges(dump, classified)), dump.pageSize);
  },
  /** Stops the running analysis or export; resolves (true) once its compute workers are terminated. */
  async cancel(): Promise<boolean> {
    return jobs.cancel();
  },
  /** Whether an analysis or export is running. */
  busy(): boolean {
    return jobs.busy();
  },
};

function openDumpOrThrow(): Dump {
  if (!current) throw new Error('No dump is open');
  return current;
}

export type DumpWorkerApi = typeof api;

Comlink.expose(api);
