import type { DumpWarning } from '../api-types.js';
import { VmsieveError, isVmsieveError } from '../errors.js';
import type { Dump, LoadSegment, PfnRange } from '../model/dump.js';
import type { KernelMemory } from '../kernel/kernel-memory.js';
import { readMemSections, type MemSection } from '../kernel/mem-section.js';
import { VmcoreInfo } from '../model/vmcoreinfo.js';
import { pageLayoutFromVmcoreinfo, type LayoutWarning, type PageLayout } from '../kernel/page-layout.js';
import type { KernelExports } from '../wasm/kernels.js';
import { ZeroScanner } from '../wasm/zero-scan.js';
import type { ClassifyTask } from '../workers/page-compute.js';
import type { ComputePool } from '../workers/pool.js';
import { WINDOW_BYTES, pagesIn } from '../workers/page-compute.js';
import { mapOrdered } from '../workers/ordered.js';
import { pageExtents, visitedRanges, workersCanRead, type PfnRun } from '../model/page-extents.js';
import { sourceReader } from '../io/source-reader.js';
import { bitmapMode, type BitmapMode } from '../model/bitmap-mode.js';
import {
  CODE_MASK,
  CODE_NOT_VISITED,
  inDumpRanges,
  withDataRanges,
  originalPageCount,
  ZERO_BIT,
  zeroScanTable,
} from './dump-level.js';
import { isBatch, SectionClassifier, sectionWork, type Batch, type Gap } from './classify-sections.js';

export interface ClassifyOptions {
  /** Struct pages per batch, the unit a compute worker classifies in one task (default 32768; at least 4096 is sensible). */
  batchPages?: number;
  /**
   * Which levels the zero bits must serve: true (default) = every level with bit 1, i.e. every page that
   * any such level keeps is read and scanned; an array = only pages kept at one of those levels; false = no scan.
   */
  zeroScan?: boolean | readonly number[];
  /** Pages per zero-scan read (default and at most a compute window's worth, WINDOW_BYTES). */
  zeroChunkPages?: number;
  /** Compute workers for the zero scan (started while the struct pages are classified): they read and scan the pages themselves, in parallel, when they can reach the dump. */
  pool?: ComputePool | Promise<ComputePool>;
  onProgress?: (phase: 'classify' | 'zero', done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ClassifyStats {
  sections: number;
  structPagesRead: number;
  wasmCalls: number;
  visitedPages: number;
  zeroScannedPages: number;
  zeroPages: number;
  classifyMs: number;
  zeroScanMs: number;
}

export interface ClassifyResult {
  /** One byte per pfn (0 .. maxPfn-1): the class code of assembly/classify.ts, bit 7 = all-zero page. See dump-level.ts. */
  classMap: Uint8Array;
  /** makedumpfile's max_mapnr ("Total pages"). */
  maxPfn: number;
  pageSize: number;
  /** How makedumpfile builds its bitmaps for one output file of this dump; inDump and originalPages follow it. */
  bitmapMode: BitmapMode;
  /** makedumpfile's 1st bitmap as merged pfn ranges. */
  inDump: PfnRange[];
  /** inDump less the pages past a PT_LOAD's p_filesz (never written, never zero-scanned). */
  withData: PfnRange[];
  /** The dump's PT_LOADs (for the ELF-output report, which counts per PT_LOAD). */
  loads: LoadSegment[];
  /** makedumpfile's "Original pages" (PT_LOAD pages summed, duplicates counted twice). */
  originalPages: number;
  layout: PageLayout;
  sections: MemSection[];
  /** Levels for which the zero bits are complete (empty when no zero scan ran). */
  zeroScanLevels: number[];
  warnings: (LayoutWarning | DumpWarning)[];
  stats: ClassifyStats;
}

const ALL_ZERO_LEVELS = Array.from({ length: 16 }, (_, i) => 2 * i + 1);
const READ_GAP_PAGES = 8;

/** One zero scanner per wasm instance and page size: its arena is allocated once (the stub runtime never frees). */
const zeroScanners = new WeakMap<KernelExports, Map<number, ZeroScanner>>();

function zeroScannerFor(k: KernelExports, pageSize: number): ZeroScanner {
  let byPage = zeroScanners.get(k);
  if (!byPage) zeroScanners.set(k, (byPage = new Map()));
  let scanner = byPage.get(pageSize);
  if (!scanner) byPage.set(pageSize, (scanner = new ZeroScanner(k, pageSize)));
  return scanner;
}

/**
 * The pool once it has started, and nothing before: classification goes on here meanwhile instead of waiting for
 * workers that are still booting.
 */
interface PoolWhenReady {
  readonly ready: ComputePool | undefined;
  /** The pool if it has started by now. */
  poll(): Promise<ComputePool | undefined>;
}

function poolWhenReady(pool: ComputePool | Promise<ComputePool>): PoolWhenReady {
  let ready: ComputePool | undefined;
  let polls = 0;
  Promise.resolve(pool).then(
    (p) => (ready = p),
    () => undefined,
  );
  return {
    get ready() {
      return ready;
    },
    async poll() {
      // The workers say they have started by message, a macrotask, while classifying here awaits reads that settle
      // as microtasks only: without a turn of the event loop now and then, the pool would be seen ready only at the end.
      if (!ready && ++polls % 4 === 0) await yieldToEvents();
      return ready;
    },
  };
}

const yieldToEvents = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** A batch or gap in its turn, with the worker task that classifies it when one does. */
type Planned = { work: Batch | Gap; worker?: { pool: ComputePool; task: ClassifyTask } };

/**
 * The classification's schedule: in pfn order, a batch goes to the workers once the pool has started (up to 3 per
 * worker in flight), every other batch and gap waits its turn and is classified here; the model takes every one in
 * pfn order.
 */
async function schedule(model: SectionClassifier, work: Iterable<Batch | Gap>, pool: PoolWhenReady | undefined, signal: AbortSignal | undefined): Promise<void> {
  async function* planned(): AsyncGenerator<Planned> {
    for (const w of work) {
      checkAbort(signal);
      const workers = await pool?.poll();
      yield workers && isBatch(w) && w.nrecs > 0 ? { work: w, worker: { pool: workers, task: await model.task(w) } } : { work: w };
    }
  }
  const limit = (): number => (pool?.ready ? pool.ready.size * 3 : 1);
  const run = async ({ work, worker }: Planned) => ({ work, classified: worker && (await worker.pool.run((api) => api.classify(worker.task))) });
  for await (const { work, classified } of mapOrdered(planned(), limit, run)) {
    if (!isBatch(work)) await model.gap(work);
    else if (classified) await model.merge(work, classified);
    else await model.here(work);
  }
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new VmsieveError('E_CANCELLED', 'page classification was cancelled');
}

/**
 * Classifies every page of the dump as makedumpfile 1.7.9 would at every level at once: walks the
 * sections' struct page arrays in large batches through the wasm classifier, then zero-scans the pages
 * that some zero-filtering level would keep. Memory: the class map (one byte per pfn) plus fixed windows.
 */
export async function classifyDump(dump: Dump, km: KernelMemory | undefined, kernels: KernelExports, opts: ClassifyOptions = {}): Promise<ClassifyResult> {
  const k = kernels;
  if (typeof k.classifyPages !== 'function')
    throw new VmsieveError('E_UNSUPPORTED', 'the wasm kernels lack classifyPages: rebuild build/wasm/vmsieve.wasm (npm run asbuild)');
  const info = dump.vmcoreinfo ?? km?.info;
  const { layout, warnings: layoutWarnings } = pageLayoutFromVmcoreinfo(info ?? new VmcoreInfo(''));
  const warnings: (LayoutWarning | DumpWarning)[] = info
    ? [...(km?.translator.warnings ?? []), ...layoutWarnings]
    : [
        {
          code: 'W_NO_VMCOREINFO',
          message: `${dump.source.name} has no VMCOREINFO: struct pages cannot be located, so only zero pages (bit 1) can be excluded; bits 2, 4, 8, 16 and the always-excluded hwpoison/offline pages cannot be honoured.`,
        },
      ];
  if (!km || !info) layout.enabled = false;
  const pageSize = dump.pageSize;
  const batch = Math.max(64, Math.floor(opts.batchPages ?? 32768));
  const stats: ClassifyStats = {
    sections: 0,
    structPagesRead: 0,
    wasmCalls: 0,
    visitedPages: 0,
    zeroScannedPages: 0,
    zeroPages: 0,
    classifyMs: 0,
    zeroScanMs: 0,
  };

  const t0 = performance.now();
  const mem = km && layout.enabled ? await readMemSections(km) : { sections: [] as MemSection[], maxPfn: dump.maxPfnFromLoads };
  const maxPfn = mem.maxPfn;
  const sections = [...mem.sections].sort((a, b) => a.pfnStart - b.pfnStart);
  stats.sections = sections.length;
  if (sections.length === 0 && layout.enabled)
    warnings.push({ code: 'W_NO_MEM_MAP', message: 'No memory section with a mem_map was found: no page can be classified; only zero pages can be excluded.' });

  const classMap = new Uint8Array(maxPfn).fill(CODE_NOT_VISITED);
  const mode = bitmapMode(dump.maxPfnFromLoads);
  const inDump = inDumpRanges(dump.loads, pageSize, maxPfn, mode);
  const withData = withDataRanges(inDump, dump.loads, pageSize, maxPfn);
  const visited = visitedRanges(dump.loads, pageSize, maxPfn);
  const result: ClassifyResult = {
    classMap,
    maxPfn,
    pageSize,
    bitmapMode: mode,
    inDump,
    withData,
    loads: [...dump.loads],
    originalPages: originalPageCount(dump.loads, pageSize, maxPfn, mode),
    layout,
    sections,
    zeroScanLevels: [],
    warnings,
    stats,
  };

  if (km && layout.enabled && sections.length > 0) {
    const model = new SectionClassifier({
      dump,
      km,
      kernels: k,
      layout,
      classMap,
      visited,
      stats,
      batchPages: batch,
      total: sections.reduce((n, s) => n + (s.pfnEnd - s.pfnStart), 0),
      onProgress: opts.onProgress && ((done, total) => opts.onProgress!('classify', done, total)),
    });
    const pool = opts.pool && workersCanRead(dump) ? poolWhenReady(opts.pool) : undefined;
    await schedule(model, sectionWork(sections, layout.structPageSize, batch, maxPfn, visited), pool, opts.signal);
    const found = model.finish();
    stats.visitedPages = found.visitedPages;
    warnings.push(...found.warnings);
  }
  stats.classifyMs = performance.now() - t0;
  const zeroLevels = opts.zeroScan === false ? [] : Array.isArray(opts.zeroScan) ? [...(opts.zeroScan as number[])] : ALL_ZERO_LEVELS;
  await scanZeroPages(dump, result, kernels, zeroLevels, opts);
  return result;
}

/** A copy that can be given zero bits (or otherwise changed) without touching the original. */
export function copyClassification(r: ClassifyResult): ClassifyResult {
  return { ...r, classMap: r.classMap.slice(), zeroScanLevels: [...r.zeroScanLevels], warnings: [...r.warnings], stats: { ...r.stats } };
}

/**
 * Sets the zero bit of every page that some level of `levels` with bit 1 would keep and that is all zero (the other
 * pages are not read). Workers of `opts.pool` read and scan the pages themselves when they can reach the dump.
 */
export async function scanZeroPages(
  dump: Dump,
  result: ClassifyResult,
  kernels: KernelExports,
  levels: readonly number[],
  opts: Pick<ClassifyOptions, 'pool' | 'signal' | 'onProgress' | 'zeroChunkPages'> = {},
): Promise<void> {
  const { classMap, withData, pageSize, stats } = result;
  const k = kernels;
  const windowPages = pagesIn(WINDOW_BYTES, pageSize);
  const zeroChunk = Math.max(1, Math.min(windowPages, Math.floor(opts.zeroChunkPages ?? windowPages)));
  const t1 = performance.now();
  const zeroLevels = levels.filter((l) => l & 1);
  const need = zeroScanTable(zeroLevels);
  if (zeroLevels.length > 0) {
    const totalZero = withData.reduce((n, r) => n + r.end - r.start, 0);
    const pool = opts.pool && workersCanRead(dump) ? await opts.pool : undefined;
    // Without workers, pages that are plain file bytes are still read as workers read them: many spans per read, into wasm memory.
    const local = !pool && workersCanRead(dump) ? sourceReader(dump.source) : undefined;
    const scanner = zeroScannerFor(k, pageSize);
    // One task carries many spans: a message or a read per span would cost more than its scan.
    const scan = async (spans: PfnRun[]): Promise<Uint8Array> => {
      if (pool) return pool.run((api) => api.scanZero(pageExtents(dump, spans)!));
      if (local) return scanner.scanExtents(local, pageExtents(dump, spans)!);
      const [pfn, end] = spans[0]!;
      return scanner.scan(await readPages(dump, pfn, end - pfn, pageSize));
    };
    const taskPages = pool ? pool.windowPages : local ? scanner.maxPages : 0;
    const tasks = zeroScanTasks(withData, classMap, need, local ? Math.min(zeroChunk, scanner.maxPages) : zeroChunk, taskPages);
    for await (const { spans, zero } of mapOrdered(tasks, pool ? pool.size * 4 : 1, async (spans) => ({ spans, zero: await scan(spans) }), opts.signal)) {
      checkAbort(opts.signal);
      let i = 0;
      for (const [pfn, end] of spans)
        for (let p = pfn; p < end; p++, i++)
          if (zero[i] && need[classMap[p]! & CODE_MASK]) {
            classMap[p] |= ZERO_BIT;
            stats.zeroPages++;
          }
      stats.zeroScannedPages += i;
      opts.onProgress?.('zero', stats.zeroScannedPages, totalZero);
    }
    opts.onProgress?.('zero', totalZero, totalZero);
  }
  stats.zeroScanMs += performance.now() - t1;
  result.zeroScanLevels = [...new Set([...result.zeroScanLevels, ...zeroLevels])].sort((x, y) => x - y);
}

/** How many pages scanZeroPages() would read for `levels`: the pages some zero-filtering level among them keeps. */
export function pagesToZeroScan(result: ClassifyResult, levels: readonly number[]): number {
  const need = zeroScanTable(levels.filter((l) => l & 1));
  const { classMap } = result;
  let n = 0;
  for (const r of result.withData) for (let p = r.start; p < r.end; p++) n += need[classMap[p]! & CODE_MASK]!;
  return n;
}

/**
 * The zero scan's tasks: every page some zero-filtering level keeps, with short runs of pages that need no scan read
 * along with their neighbours (one larger read costs less than two reads), gathered into tasks of at most `taskPages`
 * pages (spans are at most `chunk` long; with taskPages 0, a task per span).
 */
function* zeroScanTasks(withData: readonly PfnRange[], classMap: Uint8Array, need: Uint8Array, chunk: number, taskPages: number): Generator<PfnRun[]> {
  let task: PfnRun[] = [];
  let pages = 0;
  for (const r of withData) {
    let pfn = r.start;
    while (pfn < r.end) {
      const limit = Math.min(r.end, pfn + chunk);
      if (!need[classMap[pfn]! & CODE_MASK]) {
        pfn++;
        continue;
      }
      let end = pfn + 1;
      for (let probe = end; probe < limit && probe - end <= READ_GAP_PAGES; probe++) if (need[classMap[probe]! & CODE_MASK]) end = probe + 1;
      if (task.length > 0 && pages + end - pfn > taskPages) {
        yield task;
        task = [];
        pages = 0;
      }
      task.push([pfn, end]);
      pages += end - pfn;
      pfn = end;
    }
  }
  if (task.length > 0) yield task;
}

/** Reads n whole pages from pfn on; parts of a page outside every PT_LOAD read as zero (makedumpfile's readpage_elf). */
async function readPages(dump: Dump, pfn: number, n: number, pageSize: number): Promise<Uint8Array> {
  try {
    return await dump.readPhys(pfn * pageSize, n * pageSize);
  } catch (e) {
    if (!isVmsieveError(e) || e.code !== 'E_NOT_IN_DUMP') throw e;
  }
  const out = new Uint8Array(n * pageSize);
  const lo = pfn * pageSize;
  const hi = lo + n * pageSize;
  const segs: LoadSegment[] = dump.loads.filter((l) => l.physStart < hi && lo < l.physEnd);
  for (const l of segs) {
    const a = Math.max(lo, l.physStart);
    const b = Math.min(hi, l.physEnd);
    try {
      out.set(await dump.readPhys(a, b - a), a - lo);
    } catch (e) {
      if (!isVmsieveError(e) || e.code !== 'E_NOT_IN_DUMP') throw e;
      // A kdump input lacks the pages its level excluded: read around them (they read as zero, unscanned).
      for (let at = a; at < b; at += pageSize - (at % pageSize)) {
        const len = Math.min(b, at + pageSize - (at % pageSize)) - at;
        await dump.readPhys(at, len).then(
          (bytes) => out.set(bytes, at - lo),
          (err) => {
            if (!isVmsieveError(err) || err.code !== 'E_NOT_IN_DUMP') throw err;
          },
        );
      }
    }
  }
  return out;
}

/**
 * The classification as makedumpfile sees it in cyclic mode, whatever mode one output file of the dump would take:
 * --split divides its bitmap buffer among the files, so it runs cyclic and leaves out PT_LOADs' partial last pages.
 */
export function asCyclic(result: ClassifyResult): ClassifyResult {
  if (result.bitmapMode === 'cyclic') return result;
  const inDump = inDumpRanges(result.loads, result.pageSize, result.maxPfn, 'cyclic');
  return {
    ...result,
    bitmapMode: 'cyclic',
    inDump,
    withData: withDataRanges(inDump, result.loads, result.pageSize, result.maxPfn),
    originalPages: originalPageCount(result.loads, result.pageSize, result.maxPfn, 'cyclic'),
  };
}
