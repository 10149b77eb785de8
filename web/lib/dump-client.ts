import * as Comlink from 'comlink';
import { type DumpInfo, installErrorTransfer, type Speeds } from '../../src/browser.js';
import type {
  AnalyseRequest,
  AnalyseSummary,
  ClassMapProgress,
  ClassMapSummary,
  DumpLog,
  DumpWorkerApi,
  ExportRequest,
  ExportSummary,
  ExportTarget,
  KeepCounts,
  KeepLevel,
  LevelView,
  LevelViewRequest,
  PfnSpan,
  Progress,
  RangeReport,
  SecretScanSummary,
} from '../worker/dump-worker.js';

/** The page's handle on the dump worker. The worker starts on first use and is restarted if it dies. */
export class DumpClient {
  #worker: Worker | undefined;
  #remote: Comlink.Remote<DumpWorkerApi> | undefined;
  #crashed: Promise<never> | undefined;

  #start(): { remote: Comlink.Remote<DumpWorkerApi>; crashed: Promise<never> } {
    if (!this.#worker || !this.#remote || !this.#crashed) {
      installErrorTransfer();
      const worker = new Worker(new URL('../worker/dump-worker.ts', import.meta.url), { type: 'module', name: 'vmsieve-dump' });
      this.#crashed = new Promise<never>((_, reject) => {
        worker.addEventListener('error', (e) => {
          e.preventDefault();
          this.#stop();
          reject(new Error(`The dump worker stopped: ${e.message || 'it could not be loaded'}`));
        });
      });
      this.#crashed.catch(() => {}); // only observed while a call is pending
      this.#worker = worker;
      this.#remote = Comlink.wrap<DumpWorkerApi>(worker);
    }
    return { remote: this.#remote, crashed: this.#crashed };
  }

  #stop(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#remote = undefined;
    this.#crashed = undefined;
  }

  /** Reads a dump's structure (several files: a split set) in the worker; rejects with a VmsieveError (code kept) for bad input. */
  async openFiles(files: File[]): Promise<DumpInfo> {
    const { remote, crashed } = this.#start();
    return Promise.race([remote.openFiles(files), crashed]);
  }

  /** The kernel log and crash context of the dump opened last (resolves with `error` set when the log is unreadable). */
  async readLog(): Promise<DumpLog> {
    const { remote, crashed } = this.#start();
    return Promise.race([remote.readLog(), crashed]);
  }

  /** Output sizes of the open dump at every level (see the worker's `analyse`). */
  async analyse(req: AnalyseRequest, onProgress?: (p: Progress) => void): Promise<AnalyseSummary> {
    const { remote, crashed } = this.#start();
    return Promise.race([remote.analyse(req, onProgress && Comlink.proxy(onProgress)), crashed]);
  }

  /** Writes the open dump filtered to `target` (a save-dialog handle, a download stream's port, or 'opfs'); see the worker's `export`. */
  async export(req: ExportRequest, target: ExportTarget, onProgress?: (p: Progress) => void): Promise<ExportSummary> {
    const { remote, crashed } = this.#start();
    const sent = typeof target === 'object' && 'download' in target ? Comlink.transfer(target, [target.download]) : target;
    return Promise.race([remote.export(req, sent, onProgress && Comlink.proxy(onProgress)), crashed]);
  }

  /** What the pages `level` keeps still hold that should not be handed over, masked (see the worker's `scanSecrets`). */
  async scanSecrets(level: number, workers?: number, onProgress?: (p: Progress) => void): Promise<SecretScanSummary> {
    const { remote, crashed } = this.#start();
    return Promise.race([remote.scanSecrets(level, workers, onProgress && Comlink.proxy(onProgress)), crashed]);
  }

  /**
   * The open dump's pages counted by class in at most `buckets` buckets (see the worker's `classOverview`). Aborting
   * `signal` stops the worker at its next progress report, and the call rejects with E_CANCELLED.
   */
  async classOverview(buckets: number, onProgress?: (p: ClassMapProgress) => void, signal?: AbortSignal): Promise<ClassMapSummary> {
    const { remote, crashed } = this.#start();
    const report = (p: ClassMapProgress): boolean => {
      if (signal?.aborted) return false;
      onProgress?.(p);
      return true;
    };
    return Promise.race([remote.classOverview(buckets, Comlink.proxy(report)), crashed]);
  }

  /** Per dump level, how many pages a debugger needs it leaves out (see the worker's `keepCounts`). */
  async keepCounts(): Promise<KeepCounts> {
    const { remote, crashed } = this.#start();
    return Promise.race([remote.keepCounts(), crashed]);
  }

  /** The needed pages one level leaves out. */
  async keepLevel(level: number): Promise<KeepLevel> {
    const { remote, crashed } = this.#start();
    return Promise.race([remote.keepLevel(level), crashed]);
  }

  /** What a level keeps over a range of pfns (see the worker's `levelView`). */
  async levelView(req: LevelViewRequest): Promise<LevelView> {
    const { remote, crashed } = this.#start();
    return Promise.race([remote.levelView(req), crashed]);
  }

  /** A level's report over a range of pfns (see the worker's `rangeReport`). */
  async rangeReport(level: number, range: PfnSpan): Promise<RangeReport> {
    const { remote, crashed } = this.#start();
    return Promise.race([remote.rangeReport(level, range), crashed]);
  }

  /** This machine's one-thread codec speeds on the open dump's pages (see the worker's `codecSpeeds`). */
  async codecSpeeds(): Promise<Speeds['compress']> {
    const { remote, crashed } = this.#start();
    return Promise.race([remote.codecSpeeds(), crashed]);
  }

  /** Lets the open dump go: the worker stops its jobs and frees what it kept of it. */
  async close(): Promise<void> {
    if (!this.#remote) return;
    const { remote, crashed } = this.#start();
    return Promise.race([remote.close(), crashed]);
  }

  /** Stops a running analysis or export; resolves once its workers are gone (false when nothing ran). */
  async cancel(): Promise<boolean> {
    if (!this.#remote) return false;
    const { remote, crashed } = this.#start();
    return Promise.race([remote.cancel(), crashed]);
  }

  dispose(): void {
    this.#stop();
  }
}
