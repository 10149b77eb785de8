/// <reference lib="webworker" />
/**
 * The library's session in a dedicated worker: the page hands over Files (structured-cloned, still disk-backed) and
 * gets plain data back; no byte of the dump ever reaches the UI thread. One Vmcore per opened dump, closed when the
 * page opens another or lets it go. This file only adapts the session's results to what crosses the boundary.
 */
import * as Comlink from 'comlink';
import {
  browserThreads,
  installErrorTransfer,
  openVmcore,
  type AnalyseResult,
  type ClassMapProgress,
  type ClassMapProgressCallback,
  type ClassMapSummary,
  type CodecId,
  type CrashContext,
  type DmesgLayout,
  type DmesgRecord,
  type DmesgWarning,
  type DropReason,
  type DumpInfo,
  type KeepCounts,
  type LevelView,
  type LevelViewRequest,
  type NeededKind,
  type OutputFormat,
  type PageReport,
  type PfnSpan,
  type Progress,
  type RangeReport,
  type SecretScanResult,
  type Speeds,
  type Vmcore,
} from '../../src/browser.js';
import { exportSink, type ExportTarget } from './export-target.js';

export type { ClassMapProgress, ClassMapSummary, ExportTarget, KeepCounts, LevelView, LevelViewRequest, PfnSpan, Progress, RangeReport };

installErrorTransfer();

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

/** How much to read and measure (see AnalyseCallOptions), and how many compute workers (default navigator.hardwareConcurrency). */
export interface AnalyseRequest {
  sampleEvery?: number;
  sampleWindows?: number;
  measureEvery?: number;
  measureBytes?: number;
  workers?: number;
}

/** The analysis as the page gets it: the result without the class map, plus how the job went. */
export interface AnalyseSummary extends Pick<AnalyseResult, 'levels' | 'estimated' | 'estimatedKinds' | 'pagesEstimated' | 'measuredEvery' | 'sampledEvery' | 'inputLevel' | 'lacking'> {
  warnings: { code: string; message: string }[];
  workers: number;
  /** Why the compute workers could not start, when the job ran on this worker's thread instead. */
  workersFailed: string | null;
  /** Wall time of the whole job, classification included. */
  elapsedMs: number;
  /** Bytes of page data read (or sampled). */
  bytesRead: number;
}

export interface ExportRequest {
  level: number;
  format: OutputFormat;
  /** kdump only; omitted or 'none' stores pages raw. */
  codec?: CodecId | 'none';
  workers?: number;
  /** The file name used for an OPFS export. */
  name?: string;
  /** Zero the bytes of everything the secret scan at `level` finds (an ELF vmcore input only). */
  eraseFound?: boolean;
}

/** What the secret scan found (masked), with what it searched and how long it took. */
export interface SecretScanSummary extends Omit<SecretScanResult, 'warnings'> {
  elapsedMs: number;
}

export interface ExportSummary {
  name: string;
  fileSize: number;
  report: PageReport;
  warnings: { code: string; message: string }[];
  workers: number;
  /** Why the compute workers could not start, when the job ran on this worker's thread instead. */
  workersFailed: string | null;
  elapsedMs: number;
  /** Bytes of page data read. */
  bytesRead: number;
  /** For an OPFS export: the finished file, disk-backed, to offer as a download. */
  file: File | null;
  /** With eraseFound: how many findings were zeroed, and how many of them were secrets. */
  erased?: { findings: number; secrets: number };
}

export interface KeepLevel {
  level: number;
  /** Why the check could not be made for this dump (then `dropped` is empty and says nothing). */
  unavailable?: string;
  dropped: Array<{ kind: NeededKind; what: string; address: string | null; pfn: number; reason: DropReason }>;
}

let current: Vmcore | undefined;
/**
 * Cancels the analysis or export being started or run: a cancel that comes before its job has begun (an export's
 * output still being opened, or the call just posted) would find nothing to stop in the session.
 */
let jobCancel: AbortController | undefined;

/** A cancel for the job starting now, and its release once the job has settled; the job's workers have not failed yet. */
function cancellable(): { signal: AbortSignal; done: () => void } {
  const cancel = new AbortController();
  jobCancel = cancel;
  workersFailed = null;
  return {
    signal: cancel.signal,
    done: () => {
      if (jobCancel === cancel) jobCancel = undefined;
    },
  };
}
/** Why the running job's compute workers could not start (it then runs on this thread), or null. */
let workersFailed: string | null = null;
/** How many compute workers the job that asked for `threads` ran on. */
const workersUsed = (threads: number): number => (workersFailed ? 1 : threads);

function openOrThrow(): Vmcore {
  if (!current) throw new Error('No dump is open');
  return current;
}

/** A latin1 string (one char per byte) as the bytes it stands for. */
function latin1Bytes(s: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const plainWarnings = (ws: readonly { code: string; message: string }[]) => ws.map(({ code, message }) => ({ code, message }));

/** `onProgress`, remembering the bytes read so far for the summary. */
function counting(onProgress: ((p: Progress) => void) | undefined): { report: (p: Progress) => void; bytesRead: () => number } {
  let bytes = 0;
  return {
    report: (p) => {
      if (p.phase !== 'classify') bytes = p.doneBytes;
      onProgress?.(p);
    },
    bytesRead: () => bytes,
  };
}

const api = {
  /**
   * Detects the format, reads the structure and describes the dump; several files are one makedumpfile --split set.
   * The dump open before is closed. Throws VmsieveError (with `code`) on bad input.
   */
  async openFiles(files: File[]): Promise<DumpInfo> {
    await api.close();
    const vmcore = await openVmcore(files, { onWorkersFailed: (e) => (workersFailed = e.message) });
    try {
      const info = await vmcore.info();
      current = vmcore;
      return info;
    } catch (e) {
      await vmcore.close();
      throw e;
    }
  },
  /** Closes the open dump: its jobs and views stop, and its classification and maps are freed. */
  async close(): Promise<void> {
    const closing = current;
    current = undefined;
    await closing?.close();
  },
  /** The kernel log of the open dump, with the crash context. Never throws for an unreadable log. */
  async readLog(): Promise<DumpLog> {
    const vmcore = openOrThrow();
    try {
      const r = await vmcore.dmesg();
      return {
        layout: r.layout,
        records: r.records,
        plainLines: r.records.length === 0 && r.log ? r.log.replace(/\n$/, '').split('\n') : null,
        logBlob: new Blob([latin1Bytes(r.log)], { type: 'text/plain' }),
        complete: r.complete,
        warnings: r.warnings,
        error: null,
        crash: await vmcore.crashContext(r.records),
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
        crash: await vmcore.crashContext([]),
      };
    }
  },
  /**
   * Exact (or, with `sampleEvery` > 1, estimated) output sizes of the open dump at every level for every output.
   * Progress arrives through `onProgress` (a Comlink.proxy), a few times a second.
   */
  async analyse(req: AnalyseRequest, onProgress?: (p: Progress) => void): Promise<AnalyseSummary> {
    const vmcore = openOrThrow();
    const started = performance.now();
    const progress = counting(onProgress);
    const { workers, ...sampling } = req;
    const threads = browserThreads(workers);
    const cancel = cancellable();
    let r;
    try {
      r = await vmcore.analyse({ ...sampling, threads, signal: cancel.signal, onProgress: progress.report });
    } finally {
      cancel.done();
    }
    const { levels, estimated, estimatedKinds, pagesEstimated, measuredEvery, sampledEvery, inputLevel, lacking } = r;
    return {
      levels, estimated, estimatedKinds, pagesEstimated, measuredEvery, sampledEvery, inputLevel, lacking,
      warnings: plainWarnings(r.classified.warnings),
      workers: workersUsed(threads),
      workersFailed,
      elapsedMs: performance.now() - started,
      bytesRead: progress.bytesRead(),
    };
  },
  /**
   * Writes the open dump filtered at `req.level` to `target`: a FileSystemFileHandle from the save dialog, a streamed
   * download's port, or 'opfs' (the result's `file` is then the finished file, for a download). The output is
   * aborted on failure or cancel, a cancel that comes while the output is still being opened included.
   */
  async export(req: ExportRequest, target: ExportTarget, onProgress?: (p: Progress) => void): Promise<ExportSummary> {
    const vmcore = openOrThrow();
    const started = performance.now();
    const progress = counting(onProgress);
    const codec = req.format === 'kdump' && req.codec && req.codec !== 'none' ? req.codec : undefined;
    const threads = browserThreads(req.workers);
    const cancel = cancellable();
    try {
      const out = await exportSink(target, req.name ?? `${vmcore.name}.d${Math.floor(req.level)}.${req.format}`);
      const r = await vmcore.export(out.sink, { level: req.level, format: req.format, codec, threads, signal: cancel.signal, onProgress: progress.report, eraseFound: req.eraseFound });
      return {
        erased: r.erased && { findings: r.erased.length, secrets: r.erased.filter((f) => f.category === 'secret').length },
        name: out.sink.name,
        fileSize: r.fileSize,
        report: r.report,
        warnings: plainWarnings(r.warnings),
        workers: codec ? workersUsed(threads) : 0,
        workersFailed,
        elapsedMs: performance.now() - started,
        bytesRead: progress.bytesRead(),
        file: await out.file(),
      };
    } finally {
      cancel.done();
    }
  },
  /** The secrets and identifying data the pages `level` keeps still hold, masked (vmsieve --scan-secrets). */
  async scanSecrets(level: number, workers?: number, onProgress?: (p: Progress) => void): Promise<SecretScanSummary> {
    const started = performance.now();
    const { warnings: _, ...r } = await openOrThrow().scanSecrets({ level, threads: browserThreads(workers), onProgress });
    return { ...r, elapsedMs: performance.now() - started };
  },
  /**
   * Every page of the open dump classified as makedumpfile -d 31 sees it (zero pages included), counted in at most
   * `buckets` buckets. Runs beside analyse/export; `onProgress` (a Comlink.proxy) returning false stops it.
   */
  async classOverview(buckets: number, onProgress?: ClassMapProgressCallback): Promise<ClassMapSummary> {
    const r = await openOrThrow().classOverview(buckets, onProgress);
    return Comlink.transfer(r, [r.overview.counts.buffer]);
  },
  /** How many pages crash and drgn need each dump level leaves out (kallsyms data, stacks, page tables, per-cpu areas). */
  keepCounts(): Promise<KeepCounts> {
    return openOrThrow().keepCounts();
  },
  /** The needed pages `level` leaves out, with what lives there and the class that drops it. */
  async keepLevel(level: number): Promise<KeepLevel> {
    const c = await openOrThrow().keepCheck(level);
    if ('unavailable' in c) return { level, dropped: [], unavailable: c.unavailable };
    return { level, dropped: c.dropped.map((d) => ({ kind: d.kind, what: d.what, address: d.address === undefined ? null : `0x${d.address.toString(16)}`, pfn: d.pfn, reason: d.reason })) };
  },
  /** What `req.level` keeps and drops over pfns [start, end), in at most `req.buckets` cells (after the class map is made). */
  levelView(req: LevelViewRequest): LevelView {
    const v = openOrThrow().levelView(req);
    return Comlink.transfer(v, [v.counts.buffer]);
  },
  /** makedumpfile's report for `level` over a selected range of pfns, from the classification the level maps show. */
  rangeReport(level: number, range: PfnSpan): RangeReport {
    return openOrThrow().rangeReport(level, range);
  },
  /** Bytes per second each codec compresses pages of the open dump at, on this worker's one thread. */
  codecSpeeds(): Promise<Speeds['compress']> {
    return openOrThrow().codecSpeeds();
  },
  /** Stops the running analysis or export; resolves (true) once its compute workers are terminated. */
  async cancel(): Promise<boolean> {
    jobCancel?.abort();
    return current ? current.cancel() : false;
  },
};

export type DumpWorkerApi = typeof api;

Comlink.expose(api);
