/// <reference lib="webworker" />
/**
 * Analyse and export inside the dump worker: the wasm module is compiled once (browserWasmModule) and posted to a pool
 * of nested compute workers (docs/ecosystem.md §1.10); the output goes to a File System Access stream or into OPFS.
 * One job at a time; `cancel()` aborts it and stops its workers.
 */
import {
  analyseDump,
  browserPlatform,
  browserWasmModule,
  classifyDump,
  copyClassification,
  defaultBrowserThreads,
  exportDump,
  openedDump,
  OpfsSyncSink,
  ProgressTracker,
  VmsieveError,
  WritableStreamSink,
  type AnalyseOptions,
  type AnalyseResult,
  type ByteSink,
  type ClassifyResult,
  type CodecId,
  type ComputePool,
  type Dump,
  type OpenedDump,
  type OutputFormat,
  type PageReport,
  type PipelineInput,
  type Progress,
} from '../../src/browser.js';

export type { Progress };

/** After cancel(), how long the pipeline gets to stop between windows before its workers are terminated anyway. */
const HARD_STOP_MS = 400;
/** The OPFS folder that holds exports for browsers without a save dialog; emptied at the start of the next one. */
export const OPFS_EXPORT_DIR = 'vmsieve-exports';

/** How much to read and measure (see AnalyseOptions), and how many compute workers (default navigator.hardwareConcurrency). */
export interface AnalyseRequest extends Pick<AnalyseOptions, 'sampleEvery' | 'sampleWindows' | 'measureEvery' | 'measureBytes'> {
  workers?: number;
}

/** The analysis as the page gets it: AnalyseResult without the class map, plus how the job went. */
export interface AnalyseSummary extends Pick<AnalyseResult, 'levels' | 'estimated' | 'estimatedKinds' | 'pagesEstimated' | 'measuredEvery' | 'inputLevel' | 'lacking'> {
  warnings: { code: string; message: string }[];
  workers: number;
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
}

export interface ExportSummary {
  name: string;
  fileSize: number;
  report: PageReport;
  warnings: { code: string; message: string }[];
  workers: number;
  elapsedMs: number;
  /** Bytes of page data read. */
  bytesRead: number;
  /** For an OPFS export: the finished file, disk-backed, to offer as a download. */
  file: File | null;
}

let kernelsFor: { dump: Dump; input: Promise<OpenedDump> } | undefined;

/** `dump` opened in this worker: its kernel-memory view and one wasm instance (classification, the class map's zero scan). */
export function openedFor(dump: Dump): Promise<OpenedDump> {
  if (kernelsFor?.dump !== dump) {
    const input = browserWasmModule().then((m) => openedDump(dump, m));
    kernelsFor = { dump, input };
    input.catch(() => (kernelsFor = undefined));
  }
  return kernelsFor.input;
}

export type ClassifyProgress = (phase: 'classify' | 'zero', done: number, total: number) => void;

interface SharedClassification {
  dump: Dump;
  result: Promise<ClassifyResult>;
  controller: AbortController;
  listeners: Set<ClassifyProgress>;
}

let shared: SharedClassification | undefined;

/**
 * The classification of `dump` without zero bits, computed once and shared by the class map and every analysis and
 * export (each takes a copy: they add zero bits). Asking for another dump stops the previous one's.
 */
export function classificationFor(dump: Dump, onProgress?: ClassifyProgress): Promise<ClassifyResult> {
  if (shared?.dump !== dump) {
    shared?.controller.abort();
    const controller = new AbortController();
    const listeners = new Set<ClassifyProgress>();
    const result = openedFor(dump).then(({ km, kernels }) =>
      classifyDump(dump, km, kernels, { zeroScan: false, signal: controller.signal, onProgress: (...a) => listeners.forEach((l) => l(...a)) }),
    );
    const entry: SharedClassification = { dump, result, controller, listeners };
    result.catch(() => {
      if (shared === entry) shared = undefined;
    });
    shared = entry;
  }
  const current = shared;
  if (onProgress) {
    current.listeners.add(onProgress);
    void current.result.finally(() => current.listeners.delete(onProgress)).catch(() => undefined);
  }
  return current.result;
}

/**
 * The pipeline's input with a private copy of the shared classification; while that is still being made (seconds on
 * a big dump), its progress is reported as the 'classify' phase, in bytes of memory classified.
 */
async function pipelineInput(dump: Dump, onProgress?: (p: Progress) => void): Promise<PipelineInput> {
  let tracker: ProgressTracker | undefined;
  let last = 0;
  const report: ClassifyProgress = (phase, done, total) => {
    if (phase !== 'classify' || !onProgress) return;
    tracker ??= new ProgressTracker('classify', total * dump.pageSize, onProgress);
    tracker.advance((done - last) * dump.pageSize);
    last = done;
  };
  const [opened, classified] = await Promise.all([openedFor(dump), classificationFor(dump, report)]);
  return { ...opened, classified: copyClassification(classified) };
}

interface Job {
  controller: AbortController;
  pool: ComputePool | undefined;
  stopped: Promise<void>;
}

let job: Job | undefined;

function cancelledError(): VmsieveError {
  return new VmsieveError('E_CANCELLED', 'Cancelled: the job was stopped and its workers were shut down.');
}

function workerCount(n: number | undefined): number {
  const v = Math.floor(Number(n));
  return Number.isFinite(v) && v >= 1 ? Math.min(v, 64) : defaultBrowserThreads();
}

/**
 * Runs one job with a fresh pool of `workers` compute workers. On cancel the signal is aborted at once (the pipeline
 * stops between windows); if it has not stopped within HARD_STOP_MS the workers are terminated and the job is
 * rejected anyway. The pool is always closed before this returns, so no worker outlives its job.
 */
async function runJob<T>(workers: number, needPool: boolean, pageSize: number, body: (pool: ComputePool | undefined, signal: AbortSignal) => Promise<T>, onAbandon?: () => Promise<void>): Promise<T> {
  if (job) throw new VmsieveError('E_USAGE', 'Another analysis or export is still running: cancel it first.');
  const controller = new AbortController();
  let finished!: () => void;
  const current: Job = { controller, pool: undefined, stopped: new Promise<void>((r) => (finished = r)) };
  job = current;
  try {
    const signal = controller.signal;
    if (needPool) {
      current.pool = await browserPlatform().computePool(pageSize, workers);
      if (signal.aborted) throw signal.reason;
    }
    const hardStop = new Promise<never>((_, reject) => {
      const stop = () =>
        setTimeout(() => {
          void current.pool?.close();
          reject(cancelledError());
        }, HARD_STOP_MS);
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
    hardStop.catch(() => undefined);
    const work = body(current.pool, signal);
    work.catch(() => undefined);
    try {
      return await Promise.race([work, hardStop]);
    } catch (e) {
      if (signal.aborted) {
        await onAbandon?.();
        throw cancelledError();
      }
      throw e;
    }
  } finally {
    await current.pool?.close();
    if (job === current) job = undefined;
    finished();
  }
}

let analysedFor: { dump: Dump; classified: ClassifyResult } | undefined;

/** The classification the last analysis of `dump` that read every page left: zero bits for every page, lacking pages marked. */
export function analysedClassification(dump: Dump): ClassifyResult | undefined {
  return analysedFor?.dump === dump ? analysedFor.classified : undefined;
}

export async function analyse(dump: Dump, req: AnalyseRequest, onProgress?: (p: Progress) => void): Promise<AnalyseSummary> {
  const workers = workerCount(req.workers);
  const started = performance.now();
  let bytesRead = 0;
  return runJob(workers, true, dump.pageSize, async (pool, signal) => {
    const input = await pipelineInput(dump, onProgress);
    const { workers: _, ...sampling } = req;
    const r = await analyseDump(input, pool!, {
      ...sampling,
      signal,
      onProgress: (p) => {
        bytesRead = p.doneBytes;
        onProgress?.(p);
      },
    });
    const { levels, estimated, estimatedKinds, pagesEstimated, measuredEvery, inputLevel, lacking } = r;
    if (!r.pagesEstimated) analysedFor = { dump, classified: r.classified };
    const warnings = r.classified.warnings.map(({ code, message }) => ({ code, message }));
    return { levels, estimated, estimatedKinds, pagesEstimated, measuredEvery, inputLevel, lacking, warnings, workers, elapsedMs: performance.now() - started, bytesRead };
  });
}

/** Where an export goes: a handle from the save dialog (FSA stream), or 'opfs' for browsers without one. */
export type ExportTarget = FileSystemFileHandle | 'opfs';

async function openSink(target: ExportTarget, name: string): Promise<{ sink: ByteSink; file: () => Promise<File | null> }> {
  if (target !== 'opfs') {
    const sink = await WritableStreamSink.create(target);
    return { sink, file: async () => null };
  }
  const root = await navigator.storage.getDirectory();
  // Earlier exports were offered as downloads already; drop them so browser storage does not fill up.
  await root.removeEntry(OPFS_EXPORT_DIR, { recursive: true }).catch(() => undefined);
  const dir = await root.getDirectoryHandle(OPFS_EXPORT_DIR, { create: true });
  const sink = await OpfsSyncSink.create(dir, name);
  return { sink, file: () => sink.handle.getFile() };
}

export async function exportTo(dump: Dump, req: ExportRequest, target: ExportTarget, onProgress?: (p: Progress) => void): Promise<ExportSummary> {
  const level = Math.floor(req.level);
  if (!(level >= 0 && level <= 31)) throw new VmsieveError('E_USAGE', `dump level must be 0 to 31, not ${req.level}`);
  if (req.format !== 'kdump' && req.format !== 'elf') throw new VmsieveError('E_USAGE', `unknown output format ${String(req.format)}`);
  const codec = req.format === 'kdump' && req.codec && req.codec !== 'none' ? req.codec : undefined;
  const workers = workerCount(req.workers);
  const name = req.name ?? `${dump.source.name}.d${level}.${req.format}`;
  const started = performance.now();
  let bytesRead = 0;
  let opened: Awaited<ReturnType<typeof openSink>> | undefined;
  return runJob(
    workers,
    codec !== undefined,
    dump.pageSize,
    async (pool, signal) => {
      const input = await pipelineInput(dump, onProgress);
      opened = await openSink(target, name);
      if (signal.aborted) {
        await opened.sink.abort();
        throw signal.reason;
      }
      const r = await exportDump(input, opened.sink, {
        level,
        format: req.format,
        codec,
        pool,
        signal,
        onProgress: (p) => {
          bytesRead = p.doneBytes;
          onProgress?.(p);
        },
      });
      return {
        name: opened.sink.name,
        fileSize: r.fileSize,
        report: r.report,
        warnings: r.warnings.map(({ code, message }) => ({ code, message })),
        workers: codec ? workers : 0,
        elapsedMs: performance.now() - started,
        bytesRead,
        file: await opened.file(),
      };
    },
    // The pipeline did not stop in time: discard the partial output ourselves (abort is safe twice).
    async () => void (await opened?.sink.abort().catch(() => undefined)),
  );
}

/** Stops the running job, if any; resolves once its workers are gone. */
export async function cancel(): Promise<boolean> {
  const current = job;
  if (!current) return false;
  current.controller.abort(cancelledError());
  await current.stopped;
  return true;
}

/** Whether an analysis or export is running in this worker. */
export function busy(): boolean {
  return job !== undefined;
}
