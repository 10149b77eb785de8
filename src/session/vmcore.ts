import { absentPages, droppedByLevel, keepCheck, type AbsentPages, type KeepCheck } from '../filter/keep-check.js';
import { advise, configLines, type Advice, type ConfigLine, type Speeds } from '../advise/model.js';
import { measureCompressSpeeds, samplePages } from '../advise/codec-speed.js';
import type { DumpInfo } from '../api-types.js';
import type { CodecId } from '../codecs/registry.js';
import { VmsieveError } from '../errors.js';
import { asCyclic, classifyDump, copyClassification, pagesToZeroScan, scanZeroPages, type ClassifyResult } from '../filter/classify-dump.js';
import { checkLevel } from '../filter/dump-level.js';
import { levelBase, levelView, zeroKnownFor, type LevelBase, type LevelSource, type LevelView } from '../filter/level-overview.js';
import { reportForLevel, reportForRange, type PageReport } from '../filter/report.js';
import type { Dump } from '../model/dump.js';
import { isKdumpDump } from '../formats/kdump/read-kdump.js';
import { reassemble } from '../formats/kdump/reassemble.js';
import { membersOf } from '../formats/kdump/split-set.js';
import { splitRanges, writeSplitMember } from '../formats/kdump/split-write.js';
import { readKdumpDump } from '../formats/kdump/read-kdump.js';
import { openDumps } from '../formats/open-dump.js';
import { describeDump } from '../info/dump-info.js';
import type { ByteSink } from '../io/sink.js';
import type { ByteSource } from '../io/source.js';
import { crashContext, type CrashContext } from '../kernel/crash-context.js';
import { debuggerNeedsOf, type DebuggerNeeds, type NeededKind } from '../kernel/debugger-needs.js';
import { readDmesg, type DmesgOptions, type DmesgResult } from '../kernel/dmesg/index.js';
import { kallsymsOf, lookupSymbol, parseSymbolQuery, type KallsymsEncoding, type SymbolAnswer } from '../kernel/kallsyms/index.js';
import { KernelMemory } from '../kernel/kernel-memory.js';
import { kernelObjects } from '../secrets/kernel-objects.js';
import { analyseDump, readableRanges, type AnalyseOptions, type AnalyseResult } from '../pipeline/analyse.js';
import { exportDump, type ExportResult, type OutputFormat } from '../pipeline/export.js';
import { scanSecrets, type SecretFinding, type SecretScanResult } from '../pipeline/scan-secrets.js';
import { eraseinfoText, erasingSource } from '../secrets/erase.js';
import type { OpenedDump, PipelineInput } from '../pipeline/pipeline-input.js';
import { ProgressTracker, type ProgressCallback } from '../pipeline/progress.js';
import { instantiateKernels } from '../wasm/kernels.js';
import { closeStarted, type ComputePool } from '../workers/pool.js';
import { ClassMaps, type ClassMapProgressCallback, type ClassMapSummary } from './class-map.js';
import { JobSlot, type JobContext } from './job-slot.js';
import { SharedClassification, type ClassifyProgress } from './shared-classification.js';

/** What differs between Node and the browser: where the compiled kernels come from and how compute workers start. */
export interface Platform {
  wasmModule(): Promise<WebAssembly.Module>;
  /** `threads` compute workers (undefined: the platform's default, one per core). */
  computePool(pageSize: number, threads: number | undefined): Promise<ComputePool>;
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
  onProgress?: ClassifyProgress;
}

/** Every page classified: one class byte per pfn, and makedumpfile's "Excluded pages" report for any level asked for. */
/** Pfns [start, end). */
export interface PfnSpan {
  start: number;
  end: number;
}

export interface Classification extends ClassifyResult {
  /** The report for `level` (over `range` only, if given); a level with bit 1 must have been among the levels classified for. */
  report(level: number, range?: PfnSpan): PageReport;
}

/** makedumpfile's report over a range of memory, from the level maps' classification (see Vmcore.rangeReport). */
export interface RangeReport {
  report: PageReport;
  /** False when the level drops zero pages the classification has not looked for: the report is then level & ~1's. */
  zeroKnown: boolean;
}

export interface AnalyseCallOptions extends WorkOptions, Omit<AnalyseOptions, 'signal'> {}

export interface ExportCallOptions extends WorkOptions {
  level: number;
  /** 'kdump' (default: kdump-compressed, as makedumpfile writes) or 'elf'. */
  format?: OutputFormat;
  /** kdump page compression (makedumpfile's -c, -l, -p, -z); none stores pages raw. */
  codec?: CodecId;
  onProgress?: ProgressCallback;
  /**
   * Zero the bytes of every finding scanSecrets() reports for `level` in the written pages (an ELF vmcore input only),
   * recorded in kdump-compressed output's eraseinfo; the result lists them, masked.
   */
  eraseFound?: boolean;
}

/** Where a split writes the whole filtered dump before cutting it: a scratch file the caller removes afterwards. */
export interface ScratchFile {
  sink: ByteSink;
  /** The finished scratch file, to read back. */
  open(): Promise<ByteSource & { close?(): Promise<void> }>;
}

export interface SplitCallOptions extends Omit<ExportCallOptions, 'format'> {
  /** How many members to cut the dump into (at least two). */
  members: number;
  /** makedumpfile's --splitblock-size, in KiB. */
  splitblockSize?: number;
  scratch: ScratchFile;
  /** The sink for member `i`, opened when that member is written. */
  openMember(i: number): Promise<ByteSink>;
}

export interface ScanSecretsCallOptions extends WorkOptions {
  /** The level whose kept pages are searched. */
  level: number;
  onProgress?: ProgressCallback;
}

export interface AdviseCallOptions extends WorkOptions {
  /** Bytes per second the dump target takes. */
  writeBytesPerSecond: number;
  /** Bytes per second the capture kernel reads /proc/vmcore at. */
  readBytesPerSecond: number;
  maxBytes?: number;
}

/** Which level and codec to capture with, what it costs, and what it costs the debugger. */
export interface AdviseResult extends Advice {
  analysed: AnalyseResult;
  speeds: Speeds;
  config: ConfigLine[];
  /** What the recommended level leaves out that crash and drgn need; undefined when nothing is recommended. */
  check?: KeepCheck | { unavailable: string };
}

/** Per level, how many needed pages it leaves out; or why the check cannot be made for this dump. */
export type KeepCounts =
  | { available: true; droppedByLevel: number[]; checked: Record<NeededKind, number> }
  | { available: false; reason: string };

export interface LevelViewRequest {
  level: number;
  /** Pfns [start, end) to show. */
  start: number;
  end: number;
  buckets: number;
}

export interface SymbolLookup {
  symbolCount: number;
  encoding: KallsymsEncoding;
  answers: SymbolAnswer[];
}

/**
 * Worker threads pay for themselves past these sizes: each takes about 40 ms to start, and one thread classifies about
 * 20 M struct pages and zero-scans about 3 GB of pages a second.
 */
const POOL_FROM_PFN_BYTES = 8 * 2 ** 30;
const POOL_FROM_SCAN_BYTES = 2 ** 29;

/**
 * One open dump and everything the CLI, the page's worker and library users do with it: describe it, read its log,
 * classify, map and compare its pages, check what a level leaves a debugger, analyse, advise, export, split. It caches
 * what every view needs (kernel memory, one wasm instance, the classification) and runs one job at a time, each with
 * its own compute pool, cancellable. `close()` stops everything and releases the files.
 */
export class Vmcore {
  private opened: Promise<OpenedDump> | undefined;
  private readonly jobs = new JobSlot();
  private readonly shared: SharedClassification;
  private readonly maps: ClassMaps;
  /** The classification the last analysis that read every page left: zero bits for every page, lacking pages marked. */
  private analysed: ClassifyResult | undefined;
  private levels: { classified: ClassifyResult; source: LevelSource; bases: Map<number, LevelBase> } | undefined;
  private needs: Promise<{ needs: DebuggerNeeds; classMap: Uint8Array; absent: AbsentPages | undefined } | { reason: string }> | undefined;
  private km: KernelMemory | undefined;
  /** Aborted by close(): what is shared by every view and job (the classification) stops with the session. */
  private readonly lifetime = new AbortController();

  private constructor(
    readonly dump: Dump,
    private readonly platform: Platform,
    private readonly release: () => Promise<void>,
  ) {
    this.shared = new SharedClassification(async (pool, onProgress) => {
      const { km, kernels } = await this.input();
      return classifyDump(dump, km, kernels, { zeroScan: false, pool, signal: this.lifetime.signal, onProgress });
    });
    this.maps = new ClassMaps({
      classification: (onProgress) => this.shared.get(undefined, onProgress),
      scanZero: async (classified, signal, onProgress) => scanZeroPages(dump, classified, (await this.input()).kernels, [31], { signal, onProgress }),
    });
  }

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
    this.opened ??= this.platform.wasmModule().then(async (m) => ({ dump: this.dump, km: this.dump.vmcoreinfo ? this.kernelMemory() : undefined, kernels: await instantiateKernels(m) }));
    this.opened.catch(() => (this.opened = undefined));
    return this.opened;
  }

  /** The pfn range this file holds when it is one member of a makedumpfile --split set, else undefined. */
  splitShare(): { start: number; end: number; maxPfn: number } | undefined {
    const d = this.dump;
    return isKdumpDump(d) && d.subHeader && d.subHeader.split !== 0 ? { ...d.range, maxPfn: d.maxPfn } : undefined;
  }

  /** Reads kernel virtual memory through the dump's page tables (throws E_NO_VMCOREINFO without VMCOREINFO). */
  kernelMemory(): KernelMemory {
    return (this.km ??= KernelMemory.open(this.dump));
  }

  /** What `vmsieve --info --json` prints. */
  info(): Promise<DumpInfo> {
    return describeDump(this.dump);
  }

  /** The kernel log as `makedumpfile --dump-dmesg` writes it, and its records. */
  dmesg(opts: DmesgOptions = {}): Promise<DmesgResult> {
    return readDmesg(this.dump, opts);
  }

  /** What the log (its records, when read already) and the CPU notes say about the crash: panic or oops line, task, IP, registers. */
  async crashContext(records?: DmesgResult['records']): Promise<CrashContext> {
    return crashContext(records ?? (await this.dmesg()).records, this.dump);
  }

  /** Addresses for names and names for addresses (`vmsieve --symbol`), from the dump's kallsyms; E_UNSUPPORTED without one. */
  async symbols(queries: readonly string[]): Promise<SymbolLookup> {
    const ks = await kallsymsOf(this.dump, this.kernelMemory());
    if (!ks.ok) throw new VmsieveError('E_UNSUPPORTED', ks.warning.message);
    const { table, encoding } = ks.kallsyms;
    return { symbolCount: table.size, encoding, answers: queries.map((q) => lookupSymbol(table, parseSymbolQuery(q, (n) => table.lookupName(n).length > 0))) };
  }

  /**
   * The classification without zero bits, made once per dump and shared (read-only: copy it before changing it). While
   * it is being made, `onProgress` hears how far it is.
   */
  classification(onProgress?: ClassifyProgress): Promise<ClassifyResult> {
    return this.shared.get(undefined, onProgress);
  }

  /**
   * Classifies every page as makedumpfile does (`vmsieve --dry-run`), with zero bits for `levels`. Zero pages are
   * scanned by compute workers (started while the struct pages are classified) on a large dump or when `threads` asks
   * for more than one, by this thread otherwise.
   */
  async classify(opts: ClassifyCallOptions = {}): Promise<Classification> {
    const levels = opts.levels ?? [31];
    for (const l of levels) checkLevel(l);
    const { dump, km, kernels } = await this.input();
    const scan = levels.some((l) => l & 1);
    // One worker would do what this thread does, after its start-up.
    const parallel = opts.threads === undefined || opts.threads > 1;
    let pool: Promise<ComputePool> | undefined;
    const startPool = () => {
      pool = this.platform.computePool(dump.pageSize, opts.threads);
      pool.catch(() => undefined);
      return pool;
    };
    try {
      const early = scan && parallel && (opts.threads !== undefined || dump.maxPfnFromLoads * dump.pageSize >= POOL_FROM_PFN_BYTES) ? startPool() : undefined;
      const result = await classifyDump(dump, km, kernels, { zeroScan: early ? levels : false, pool: early, signal: opts.signal, onProgress: opts.onProgress });
      if (!early && scan) {
        const late = parallel && pagesToZeroScan(result, levels) * dump.pageSize >= POOL_FROM_SCAN_BYTES ? startPool() : undefined;
        await scanZeroPages(dump, result, kernels, levels, { pool: late, signal: opts.signal, onProgress: opts.onProgress });
      }
      return Object.assign(result, { report: (level: number, range?: PfnSpan) => (range ? reportForRange(result, level, range.start, range.end) : reportForLevel(result, level)) });
    } finally {
      await closeStarted(pool);
    }
  }

  /**
   * Every page classified as -d 31 sees it (zero pages included), counted in at most `buckets` buckets over the pfn
   * range. Runs beside a job; `onProgress` returning false stops it, and so does a newer call or close().
   */
  classOverview(buckets: number, onProgress?: ClassMapProgressCallback): Promise<ClassMapSummary> {
    return this.maps.draw(buckets, onProgress);
  }

  /**
   * What `req.level` keeps and drops over pfns [start, end), in at most `req.buckets` cells, from the best
   * classification there is: the last full analysis's (every zero page), else the class map's (level 31's zero pages).
   */
  levelView(req: LevelViewRequest): LevelView {
    const classified = this.mapsClassification();
    if (this.levels?.classified !== classified)
      this.levels = { classified, source: { ...classified, present: isKdumpDump(this.dump) ? this.dump.bitmap2 : undefined }, bases: new Map() };
    const { source, bases } = this.levels;
    let base = bases.get(req.level);
    if (!base) bases.set(req.level, (base = levelBase(source, req.level)));
    return levelView(source, base, req.start, req.end, req.buckets);
  }

  /**
   * makedumpfile's report for `level` over pfns [start, end) from the classification the level maps show (see
   * levelView): what a selected area holds and what the level keeps of it.
   */
  rangeReport(level: number, range: PfnSpan): RangeReport {
    const classified = this.mapsClassification();
    const zeroKnown = zeroKnownFor(classified, level);
    return { report: reportForRange(classified, zeroKnown ? level : level & ~1, range.start, range.end), zeroKnown };
  }

  /** The best classification there is for the level maps: the last full analysis's (every zero page), else the class map's. */
  private mapsClassification(): ClassifyResult {
    const classified = this.analysed ?? this.maps.mapped;
    if (!classified) throw new VmsieveError('E_USAGE', 'The pages are not classified yet: the level map follows the page-class map.');
    return classified;
  }

  private debuggerNeeds() {
    this.needs ??= (async () => {
      const { km } = await this.input();
      const classified = this.classification();
      classified.catch(() => undefined);
      // A dump the check cannot be made for says why, whatever its classification would say.
      const needs = await debuggerNeedsOf(this.dump, km);
      if ('unavailable' in needs) return { reason: needs.unavailable };
      return { needs, classMap: (await classified).classMap, absent: absentPages(this.dump) };
    })();
    this.needs.catch(() => (this.needs = undefined));
    return this.needs;
  }

  /** How many pages crash and drgn need (kallsyms data, stacks, page tables, per-cpu areas) each level leaves out. */
  async keepCounts(): Promise<KeepCounts> {
    const p = await this.debuggerNeeds();
    if ('reason' in p) return { available: false, reason: p.reason };
    return { available: true, droppedByLevel: droppedByLevel(p.needs, p.classMap, p.absent), checked: keepCheck(p.needs, p.classMap, 0).checked };
  }

  /** The needed pages `level` leaves out, with what lives there and the class that drops it (`vmsieve --check-level`). */
  async keepCheck(level: number): Promise<KeepCheck | { unavailable: string }> {
    return this.keepCheckOn(level);
  }

  /** The keep check on `classMap` (an analysis's, with its zero bits), or on the shared classification's. */
  private async keepCheckOn(level: number, classMap?: Uint8Array): Promise<KeepCheck | { unavailable: string }> {
    const p = await this.debuggerNeeds();
    if ('reason' in p) return { unavailable: p.reason };
    return keepCheck(p.needs, classMap ?? p.classMap, level, p.absent);
  }

  /** The pipeline's input with a private copy of the shared classification, made with the job's pool if it is the first. */
  private async pipelineInput(job: JobContext, onProgress?: ProgressCallback): Promise<PipelineInput & { classified: ClassifyResult }> {
    let tracker: ProgressTracker | undefined;
    let last = 0;
    // While the classification is made (seconds on a big dump), its progress is the 'classify' phase, in bytes of memory.
    const report: ClassifyProgress = (phase, done, total) => {
      if (phase !== 'classify' || !onProgress) return;
      tracker ??= new ProgressTracker('classify', total * this.pageSize, onProgress);
      tracker.advance((done - last) * this.pageSize);
      last = done;
    };
    const [opened, classified] = await Promise.all([this.input(), this.shared.get(job.pool, report)]);
    if (job.signal.aborted) throw job.signal.reason;
    return { ...opened, classified: copyClassification(classified) };
  }

  /** The size of every output at every dump level (`vmsieve --analyse`); exact unless it samples. */
  analyse(opts: AnalyseCallOptions = {}): Promise<AnalyseResult> {
    const { threads, signal, ...rest } = opts;
    return this.jobs.run({ signal, startPool: () => this.platform.computePool(this.pageSize, threads) }, async (job) => {
      const r = await analyseDump(await this.pipelineInput(job, rest.onProgress), (await job.pool)!, { ...rest, signal: job.signal });
      if (!r.pagesEstimated) this.analysed = r.classified;
      return r;
    });
  }

  /**
   * What the pages `level` keeps still hold that should not be handed over (`vmsieve --scan-secrets`): private keys,
   * credentials and tokens ("secret"), e-mail addresses, host names and IP addresses ("identifying"), masked.
   */
  scanSecrets(opts: ScanSecretsCallOptions): Promise<SecretScanResult> {
    checkLevel(opts.level);
    return this.jobs.run({ signal: opts.signal, startPool: () => this.platform.computePool(this.pageSize, opts.threads) }, async (job) =>
      this.scanIn(await this.pipelineInput(job, opts.onProgress), opts.level, job, opts.onProgress),
    );
  }

  /** The secret scan within a job whose pool has been started. */
  private async scanIn(input: PipelineInput & { classified: ClassifyResult }, level: number, job: JobContext, onProgress?: ProgressCallback): Promise<SecretScanResult> {
    const needs = await this.debuggerNeeds().catch(() => undefined);
    const stacks = needs && 'needs' in needs ? needs.needs.pages.filter((p) => p.kind === 'stack' || p.kind === 'per-cpu') : [];
    const objects = await kernelObjects(this.dump, input.km, stacks);
    return scanSecrets(input, { level, pool: (await job.pool)!, objects, signal: job.signal, onProgress });
  }

  /** Compression speed of each codec on this thread, on pages sampled from what `classified` says is in the file. */
  private async codecSpeedsOn(classified: ClassifyResult): Promise<Speeds['compress']> {
    const pages = await samplePages(this.dump, readableRanges(this.dump, classified));
    if (pages.length === 0) throw new VmsieveError('E_NO_LOAD', `${this.name} holds no page to measure the codecs on`);
    return measureCompressSpeeds((await this.input()).kernels, pages, this.pageSize);
  }

  /** Bytes per second each codec compresses this dump's pages at, on this thread. */
  async codecSpeeds(): Promise<Speeds['compress']> {
    return this.codecSpeedsOn(await this.classification());
  }

  /** Which level and codec to capture with (`vmsieve --advise`), and what the recommended level leaves a debugger. */
  async advise(opts: AdviseCallOptions): Promise<AdviseResult> {
    const analysed = await this.analyse({ threads: opts.threads, signal: opts.signal, measureBytes: 64 << 20 });
    const speeds: Speeds = { read: opts.readBytesPerSecond, write: opts.writeBytesPerSecond, compress: await this.codecSpeedsOn(analysed.classified) };
    const { recommended, candidates } = advise(analysed.levels, speeds, opts.maxBytes);
    // Never recommend a level without saying what it costs the debugger (crash and drgn stop at a missing page).
    const check = recommended ? await this.keepCheckOn(recommended.level, analysed.classified.classMap) : undefined;
    return { analysed, speeds, recommended, candidates, config: recommended ? configLines(recommended.level, recommended.output) : [], check };
  }

  /**
   * Writes the dump filtered at `level` to `sink` (a file, a stream, OPFS or a File System Access handle: see the
   * entry module's sinks). The sink is closed on success and aborted on failure or cancel.
   */
  async export(sink: ByteSink, opts: ExportCallOptions): Promise<ExportResult> {
    return this.exportAs(sink, opts, false);
  }

  /** export(); `cyclic` (for --split) takes the pages makedumpfile takes in cyclic mode (see asCyclic). */
  private async exportAs(sink: ByteSink, opts: ExportCallOptions, cyclic: boolean): Promise<ExportResult> {
    const format = opts.format ?? 'kdump';
    // Whatever stops it (a bad option, a busy slot, a cancel, a failure), the sink is aborted: no partial file stays.
    try {
      checkLevel(opts.level);
      if (format !== 'kdump' && format !== 'elf') throw new VmsieveError('E_USAGE', `unknown output format ${String(format)}: choose kdump or elf`);
      if (format === 'elf' && opts.codec) throw new VmsieveError('E_USAGE', 'ELF output cannot be compressed: leave codec out or choose kdump');
      if (opts.eraseFound && this.dump.format !== 'elf') throw new VmsieveError('E_UNSUPPORTED', 'erasing what the secret scan finds needs an ELF vmcore as input, not a kdump-compressed file');
      // Workers boot while the pages are classified; the export awaits them only to scan and encode.
      const startPool = opts.codec || opts.eraseFound ? () => this.platform.computePool(this.pageSize, opts.threads) : undefined;
      return await this.jobs.run({ signal: opts.signal, startPool }, async (job) => {
        const input = await this.pipelineInput(job, opts.onProgress);
        const classified = cyclic ? asCyclic(input.classified) : input.classified;
        const erase = opts.eraseFound ? await this.erasedInput(input, opts.level, job) : undefined;
        const r = await exportDump({ ...input, dump: erase?.dump ?? input.dump, classified }, sink, {
          level: opts.level,
          format,
          codec: opts.codec,
          pool: job.pool,
          signal: job.signal,
          onProgress: opts.onProgress,
          eraseinfo: erase && eraseinfoText(erase.found),
        });
        return erase ? { ...r, erased: erase.found } : r;
      });
    } catch (e) {
      await sink.abort();
      throw e;
    }
  }

  /** The dump with every finding of the secret scan at `level` reading as zero, and the findings. */
  private async erasedInput(input: PipelineInput & { classified: ClassifyResult }, level: number, job: JobContext): Promise<{ dump: Dump; found: SecretFinding[] }> {
    const { findings } = await this.scanIn(input, level, job);
    return { dump: await openDumps([erasingSource(this.dump.source, this.dump.loads, findings)]), found: findings };
  }

  /**
   * Writes the dump filtered at `level` as makedumpfile --split does: the whole kdump file into `scratch` first, then
   * cut into `members` files holding equal shares of its pages. Members are closed only once every one is written,
   * so a failure or cancel leaves none of them (not a set missing its last members).
   */
  async split(opts: SplitCallOptions): Promise<ExportResult> {
    const result = await this.exportAs(opts.scratch.sink, { ...opts, format: 'kdump' }, true);
    const source = await opts.scratch.open();
    const sinks: ByteSink[] = [];
    try {
      const whole = await readKdumpDump(source);
      const ranges = splitRanges(whole.bitmap2, whole.maxPfn, whole.pageSize, opts.members, opts.splitblockSize);
      for (const [i, range] of ranges.entries()) {
        sinks.push(await opts.openMember(i));
        await writeSplitMember(whole, range, sinks[i]!);
      }
      for (const sink of sinks) await sink.close();
    } catch (e) {
      for (const sink of sinks) await sink.abort();
      throw e;
    } finally {
      await source.close?.();
    }
    return result;
  }

  /** Joins the members of a makedumpfile --split set into one kdump file (`vmsieve --reassemble`), into the sink opened once the set is checked. */
  async reassemble(openSink: () => Promise<ByteSink>): Promise<void> {
    if (!isKdumpDump(this.dump)) throw new VmsieveError('E_SPLIT_SET', `${this.name} is not a kdump-compressed file from makedumpfile --split`);
    const sink = await openSink();
    try {
      await reassemble(membersOf(this.dump), sink);
      await sink.close();
    } catch (e) {
      await sink.abort();
      throw e;
    }
  }

  /** Whether an analysis, export or split is running. */
  get busy(): boolean {
    return this.jobs.busy;
  }

  /** Stops the running analysis, export or split; resolves (true) once its compute workers are terminated. */
  cancel(): Promise<boolean> {
    return this.jobs.cancel();
  }

  /** Stops every job and view on this dump, then releases its files. */
  async close(): Promise<void> {
    this.lifetime.abort(new VmsieveError('E_CANCELLED', `${this.name} was closed`));
    this.maps.stop();
    await this.jobs.cancel();
    this.opened = undefined;
    await this.release();
  }
}
