import type { DumpInfo } from './api-types.js';
import { VmsieveError } from './errors.js';
import { classifyDump, type ClassifyResult } from './filter/classify-dump.js';
import { reportForLevel, type PageReport } from './filter/report.js';
import type { Dump } from './model/dump.js';
import { openDumps } from './formats/open-dump.js';
import { describeDump } from './info/dump-info.js';
import type { ByteSink } from './io/sink.js';
import type { ByteSource } from './io/source.js';
import { crashContext, type CrashContext } from './kernel/crash-context.js';
import { readDmesg, type DmesgOptions, type DmesgResult } from './kernel/dmesg/index.js';
import { KernelMemory } from './kernel/kernel-memory.js';
import { analyseDump, type AnalyseOptions, type AnalyseResult } from './pipeline/analyse.js';
import { exportDump, type ExportOptions, type ExportResult } from './pipeline/export.js';
import type { OpenedDump } from './pipeline/pipeline-input.js';
import type { ProgressCallback } from './pipeline/progress.js';
import { instantiateKernels } from './wasm/kernels.js';
import { closeStarted, type ComputePool } from './workers/pool.js';

/** What differs between Node and the browser: where the compiled kernels come from and how compute workers start. */
export interface Platform {
  wasmModule(): Promise<WebAssembly.Module>;
  /** `threads` compute workers (undefined: the platform's default, one per core). */
  computePool(pageSize: number, threads: number | undefined): Promise<ComputePool>;
}

/** `dump` with its kernel memory view and a fresh instance of the wasm kernels. */
export async function openedDump(dump: Dump, module: WebAssembly.Module): Promise<OpenedDump> {
  return { dump, km: dump.vmcoreinfo ? KernelMemory.open(dump) : undefined, kernels: await instantiateKernels(module) };
}

export interface WorkOptions {
  /** Compute workers to start for this call (default: one per core). */
  threads?: number;
  signal?: AbortSignal;
}

export interface ClassifyCallOptions extends WorkOptions {
  /**
   * The dump levels whose zero pages must be found (default [31]). Levels with bit 1 read every page they keep and
   * scan it for zeros; levels without it, or an empty list, need only the struct pages.
   */
  levels?: readonly number[];
  onProgress?: (phase: 'classify' | 'zero', done: number, total: number) => void;
}

/** Every page classified: one class byte per pfn, and makedumpfile's "Excluded pages" report for any level asked for. */
export interface Classification extends ClassifyResult {
  /** The report for `level`; a level with bit 1 must have been among the levels classified for. */
  report(level: number): PageReport;
}

export interface AnalyseCallOptions extends WorkOptions, Omit<AnalyseOptions, 'signal'> {}

export interface ExportCallOptions extends WorkOptions, Pick<ExportOptions, 'level' | 'codec'> {
  /** 'kdump' (default: kdump-compressed, as makedumpfile writes) or 'elf'. */
  format?: ExportOptions['format'];
  onProgress?: ProgressCallback;
}

/**
 * One open dump and everything the CLI and the page do with it. Methods may run one after another on the same
 * dump; `close()` releases the file.
 */
export class Vmcore {
  private opened: Promise<OpenedDump> | undefined;

  private constructor(
    readonly dump: Dump,
    private readonly platform: Platform,
    private readonly release: () => Promise<void>,
  ) {}

  /**
   * Detects the format of `sources` and reads its headers and notes: one file, or the files of one makedumpfile
   * --split set; `release` runs on close() and on failure.
   */
  static async open(sources: ByteSource | readonly ByteSource[], platform: Platform, release: () => Promise<void> = async () => undefined): Promise<Vmcore> {
    try {
      return new Vmcore(await openDumps(Array.isArray(sources) ? sources : [sources as ByteSource]), platform, release);
    } catch (e) {
      await release();
      throw e;
    }
  }

  get name(): string {
    return this.dump.source.name;
  }

  get pageSize(): number {
    return this.dump.pageSize;
  }

  /** The dump, its kernel memory view and one wasm instance, made once: what the pipeline functions start from. */
  input(): Promise<OpenedDump> {
    this.opened ??= this.platform.wasmModule().then((m) => openedDump(this.dump, m));
    this.opened.catch(() => (this.opened = undefined));
    return this.opened;
  }

  /** What `vmsieve --info --json` prints. */
  info(): Promise<DumpInfo> {
    return describeDump(this.dump);
  }

  /** Classifies every page as makedumpfile does (`vmsieve --dry-run`); zero pages are scanned in compute workers. */
  async classify(opts: ClassifyCallOptions = {}): Promise<Classification> {
    const levels = opts.levels ?? [31];
    const { dump, km, kernels } = await this.input();
    const scan = levels.some((l) => l & 1);
    const pool = scan ? this.platform.computePool(dump.pageSize, opts.threads) : undefined;
    pool?.catch(() => undefined);
    try {
      const r = await classifyDump(dump, km, kernels, { zeroScan: scan ? levels : false, pool, signal: opts.signal, onProgress: opts.onProgress });
      return Object.assign(r, { report: (level: number) => reportForLevel(r, level) });
    } finally {
      await closeStarted(pool);
    }
  }

  /** The size of every output at every dump level (`vmsieve --analyse`). */
  async analyse(opts: AnalyseCallOptions = {}): Promise<AnalyseResult> {
    const { threads, ...rest } = opts;
    const input = await this.input();
    const pool = await this.platform.computePool(this.dump.pageSize, threads);
    try {
      return await analyseDump(input, pool, rest);
    } finally {
      await pool.close();
    }
  }

  /**
   * Writes the dump filtered at `level` to `sink` (a file, a stream, OPFS or a File System Access handle: see the
   * entry module's sinks). The sink is closed on success and aborted on failure or cancel.
   */
  async export(sink: ByteSink, opts: ExportCallOptions): Promise<ExportResult> {
    if (!Number.isInteger(opts.level) || opts.level < 0 || opts.level > 31) {
      await sink.abort();
      throw new VmsieveError('E_USAGE', `dump level must be 0 to 31, not ${opts.level}`);
    }
    const format = opts.format ?? 'kdump';
    if (format === 'elf' && opts.codec) {
      await sink.abort();
      throw new VmsieveError('E_USAGE', 'ELF output cannot be compressed: leave codec out or choose kdump');
    }
    // Workers boot while the pages are classified; exportDump awaits them only to encode.
    const pool: Promise<ComputePool> | undefined = opts.codec ? this.platform.computePool(this.dump.pageSize, opts.threads) : undefined;
    pool?.catch(() => undefined);
    try {
      const input = await this.input();
      return await exportDump(input, sink, { level: opts.level, format, codec: opts.codec, pool, signal: opts.signal, onProgress: opts.onProgress });
    } catch (e) {
      await sink.abort();
      throw e;
    } finally {
      await closeStarted(pool);
    }
  }

  /** The kernel log as `makedumpfile --dump-dmesg` writes it, and its records. */
  dmesg(opts: DmesgOptions = {}): Promise<DmesgResult> {
    return readDmesg(this.dump, opts);
  }

  /** What the log and the CPU notes say about the crash: panic or oops line, task, IP, the crashing CPU's registers. */
  async crashContext(): Promise<CrashContext> {
    return crashContext((await this.dmesg()).records, this.dump);
  }

  async close(): Promise<void> {
    this.opened = undefined;
    await this.release();
  }
}
