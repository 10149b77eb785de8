import { createCompressor, STORED_RAW, type CodecId, type PageCompressor } from '../codecs/registry.js';
import { VmsieveError } from '../errors.js';
import { extentSteps, readExtents, sliceExtents, type WorkerReader } from '../io/worker-reader.js';
import type { PageExtents, StoredPages } from '../io/source-ref.js';
import { decodeStoredPage, defaultDecompressors, type Decompressors } from '../codecs/stored-page.js';
import { bytesAt, type KernelExports } from '../wasm/kernels.js';
import { ZeroScanner } from '../wasm/zero-scan.js';
import { batchClassifierFor, CLASSIFY_CHUNK_PAGES, freshState} from '../wasm/classify-batch.js';
import { tableStructSize } from '../kernel/page-layout.js';
import { AnchorScanner, type AnchorHit } from '../wasm/anchor-scan.js';
import { findInRun, type RawFinding } from '../secrets/find-secrets.js';
import { anchorTable, type AnchorTable } from '../secrets/anchor-table.js';

/**
 * Bytes of the window a compute task's pages are loaded into, unless its worker says otherwise: 4096 pages of 4 KiB,
 * 1024 of 16 KiB, 256 of 64 KiB. Bytes, not pages, so a worker's memory does not grow with the dump's page size.
 */
export const WINDOW_BYTES = 16 << 20;
/** A run of picked pages at least this long is compressed where it lies rather than moved (PageCompute.compressPicked). */
const IN_PLACE_RUN_BYTES = 64 << 10;
/** Bytes per codec kernel call (its output window holds that many pages' worst case). */
const CODEC_BATCH_BYTES = 4 << 20;

/** Whole pages of `pageSize` bytes that fit in `bytes` (at least one). */
export const pagesIn = (bytes: number, pageSize: number): number => Math.max(1, Math.floor(bytes / pageSize));

/** A task's pages: bytes read (and transferred) by the caller, or where the worker reads (and decodes) them itself. */
export type PagesInput = ArrayBuffer | PageExtents | StoredPages;

/** What one window of pages became: zero flags for every page, and the stored forms of the pages that were encoded. */
export interface EncodedWindow {
  zero: Uint8Array;
  /** Stored forms of the encoded pages, back to back, in page order. */
  data: Uint8Array;
  /** One size word per page of the window (0 for pages not encoded); bit 31 = stored raw. */
  sizes: Uint32Array;
}

/** Per-page stored sizes under each codec, for analyse mode; zero pages and pages left out of the sample measure 0. */
export interface MeasuredWindow {
  zero: Uint8Array;
  sizes: Partial<Record<CodecId, Uint32Array>>;
}

/** One batch of struct pages to classify: where its records lie in the dump, and the pfns they describe. */
export interface ClassifyTask {
  /** encodePageLayoutTable() of the dump's page layout. */
  table: BigInt64Array;
  records: Pick<PageExtents, 'ref' | 'extents'>;
  nrecs: number;
  pfnStart: number;
  /** One byte per pfn of the batch: 0 to visit, 0xff outside every PT_LOAD. */
  visit: Uint8Array;
}

/** A batch's class codes and the classifier state it ended in, having started from a fresh one. */
export interface ClassifiedBatch {
  codes: Uint8Array;
  state: BigInt64Array;
}

/**
 * The work a compute worker does on a window; runs on one wasm instance, synchronously. Every task's pages are
 * loaded once into one window in wasm memory (read straight into it when the worker reads the dump itself), then
 * zero-scanned, packed and compressed there without further copies.
 */
export class PageCompute {
  private readonly zeroScanner: ZeroScanner;
  private readonly compressors = new Map<CodecId, PageCompressor>();
  /** Windows not holding a task's pages; a task holds one from the start of its read to the end of its (synchronous) work. */
  private readonly freeWindows: number[] = [];
  readonly windowPages: number;
  private readonly codecBatch: number;
  private secrets: { scanner: AnchorScanner; table: AnchorTable } | undefined;
  private decompressors: Decompressors | undefined;

  /**
   * `windows` > 1 lets the next task's pages be read (asynchronously, as in a browser) while this task's are worked on:
   * the work itself is synchronous, so the other buffers (codec output, flags) are never shared by two tasks at once.
   */
  constructor(
    private readonly k: KernelExports,
    readonly pageSize: number,
    private readonly reader?: WorkerReader,
    windows = 1,
    windowBytes = WINDOW_BYTES,
  ) {
    this.windowPages = pagesIn(windowBytes, pageSize);
    this.codecBatch = Math.min(this.windowPages, pagesIn(CODEC_BATCH_BYTES, pageSize));
    this.zeroScanner = new ZeroScanner(k, pageSize, this.windowPages);
    for (let i = 0; i < windows; i++) this.freeWindows.push(k.arenaAlloc(pageSize * this.windowPages) >>> 0);
  }

  async scanZero(input: PagesInput): Promise<Uint8Array> {
    return this.withPages(input, (window, count) => this.zeroScanner.scanAt(window, count));
  }

  /**
   * The secrets in the task's pages, which are `runs[i]` pages of contiguous memory after another: a match never
   * spans two runs. All-zero pages hold no anchor and are not searched (a match may still run into one). Only masked
   * text leaves here. Pages this worker reads itself are read and searched a step of whole runs at a time (see
   * WorkerReader.stepBytes), at the window's start.
   */
  async scanSecrets(input: PagesInput, runs: Uint32Array): Promise<RawFinding[]> {
    const ps = this.pageSize;
    const reader = this.reader;
    const stepwise = reader?.stepBytes !== undefined && 'extents' in input && !('descs' in input) ? input : undefined;
    return this.withWindow(async (window) => {
      if (stepwise) this.checkCount(stepwise.pages);
      else await this.load(window, input);
      const nextExtents = stepwise && extentSteps(stepwise.extents);
      const stepPages = stepwise ? pagesIn(reader!.stepBytes!, ps) : this.windowPages;
      const found: RawFinding[] = [];
      for (let r = 0, first = 0; r < runs.length; ) {
        const from = r;
        let pages = runs[r++]!;
        while (r < runs.length && pages + runs[r]! <= stepPages) pages += runs[r++]!;
        const at = nextExtents ? window : window + first * ps;
        if (nextExtents) await readExtents(reader!, { ref: stepwise.ref, extents: nextExtents(pages * ps) }, () => bytesAt(this.k, window, pages * ps));
        this.findInRuns(at, runs.subarray(from, r), pages, first * ps, found);
        first += pages;
      }
      return found;
    });
  }

  /** Adds the secrets in `pages` pages at `at`, runs of `runs[i]` pages (see scanSecrets), `base` bytes into the task, to `found`. */
  private findInRuns(at: number, runs: Uint32Array, pages: number, base: number, found: RawFinding[]): void {
    this.secrets ??= (() => {
      const table = anchorTable();
      return { scanner: new AnchorScanner(this.k, table.bytes, table.rules), table };
    })();
    const { scanner, table } = this.secrets;
    const ps = this.pageSize;
    const zero = this.zeroScanner.scanAt(at, pages);
    const hits: AnchorHit[] = [];
    for (let first = 0, r = 0; r < runs.length; first += runs[r++]!) {
      const [ptr, len, end] = [at + first * ps, runs[r]! * ps, first + runs[r]!];
      hits.length = 0;
      // Keys in the run's non-zero pages only; their conditions see the whole run.
      for (let i = first; i < end; i++) {
        if (zero[i]) continue;
        const start = i;
        while (i + 1 < end && !zero[i + 1]) i++;
        scanner.hits(ptr, len, (start - first) * ps, (i + 1 - first) * ps, hits);
      }
      if (hits.length > 0) findInRun(table, bytesAt(this.k, ptr, len), base + first * ps, hits, found);
    }
  }

  /** Zero-scans the window and compresses every page with `encode[i] = 1` (all-zero pages too, unless skipZero). 'none' stores pages raw. */
  async encode(input: PagesInput, codec: CodecId | 'none', encode: Uint8Array, skipZero = false): Promise<EncodedWindow> {
    return this.withPages(input, (window, count) => {
      const zero = this.zeroScanner.scanAt(window, count);
      const picked = pickPages(count, (i) => encode[i] === 1 && !(skipZero && zero[i]));
      const sizes = new Uint32Array(count);
      if (codec === 'none') {
        this.pack(window, picked);
        for (const i of picked) sizes[i] = this.pageSize | STORED_RAW;
        return { zero, data: bytesAt(this.k, window, picked.length * this.pageSize).slice(), sizes };
      }
      const out = this.compressPicked(window, codec, picked);
      picked.forEach((page, j) => (sizes[page] = out.sizes[j]!));
      return { zero, data: bytesAt(this.k, window, out.bytes).slice(), sizes };
    });
  }

  /**
   * Measures non-zero pages under each codec (analyse mode needs sizes only, not bytes). With `sample`, page i is
   * measured with the first sample[i] codecs of `codecs` only (0: not at all), so cheap codecs can see a larger sample
   * than costly ones. Every page is zero-scanned either way.
   */
  async measure(input: PagesInput, codecs: readonly CodecId[], sample?: Uint8Array): Promise<MeasuredWindow> {
    return this.withPages(input, (window, count) => {
      const zero = this.zeroScanner.scanAt(window, count);
      const sizes: MeasuredWindow['sizes'] = {};
      let packed: number[] | undefined;
      codecs.forEach((codec, j) => {
        // Each codec's pages are a subset of the previous one's, in the same order: pack them further forward.
        const picked = pickPages(count, (i) => !zero[i] && (!sample || sample[i]! > j));
        this.pack(window, picked, packed);
        packed = picked;
        const words = new Uint32Array(count);
        const out = new Uint32Array(picked.length);
        this.compressRun(this.compressor(codec), window, picked.length, undefined, out, 0);
        picked.forEach((page, k) => (words[page] = out[k]!));
        sizes[codec] = words;
      });
      return { zero, sizes };
    });
  }

  /** Reads the batch's struct page records into a free window and classifies them there, a chunk at a time. */
  async classify(task: ClassifyTask): Promise<ClassifiedBatch> {
    return this.withWindow(async (window) => {
      const size = tableStructSize(task.table);
      if (task.nrecs * size > this.pageSize * this.windowPages) throw new RangeError(`a classify task carries at most ${this.pageSize * this.windowPages} bytes of records, not ${task.nrecs * size}`);
      if (!this.reader) throw new VmsieveError('E_UNSUPPORTED', 'this compute worker cannot read the dump itself: send it the pages');
      const classifier = batchClassifierFor(this.k);
      const count = task.visit.length;
      const state = freshState();
      const codes = new Uint8Array(count);
      for (let at = 0; at < count; at += CLASSIFY_CHUNK_PAGES) {
        const n = Math.min(CLASSIFY_CHUNK_PAGES, count - at);
        const nrecs = Math.max(0, Math.min(n + 1, task.nrecs - at));
        const bytes = nrecs * size;
        if (bytes > 0) await readExtents(this.reader, { ref: task.records.ref, extents: sliceExtents(task.records.extents, at * size, at * size + bytes) }, () => bytesAt(this.k, window, bytes));
        codes.set(classifier.run(task.table, state, window, nrecs, task.pfnStart + at, task.visit.subarray(at, at + n)), at);
      }
      return { codes, state };
    });
  }

  /** Loads the task's pages into a free window, runs `work` on them (synchronously) and frees the window. */
  private async withPages<T>(input: PagesInput, work: (window: number, count: number) => T): Promise<T> {
    return this.withWindow(async (window) => work(window, await this.load(window, input)));
  }

  /** Lends a free window to `use` for the duration of one task. */
  private async withWindow<T>(use: (window: number) => Promise<T>): Promise<T> {
    const window = this.freeWindows.pop();
    if (window === undefined) throw new Error('internal: more compute tasks at once than windows');
    try {
      return await use(window);
    } finally {
      this.freeWindows.push(window);
    }
  }

  /** Puts the task's pages at the start of the window; returns how many there are. */
  private async load(window: number, input: PagesInput): Promise<number> {
    const ps = this.pageSize;
    if ('extents' in input) {
      this.checkCount(input.pages);
      if (!this.reader) throw new VmsieveError('E_UNSUPPORTED', 'this compute worker cannot read the dump itself: send it the pages');
      if ('descs' in input) await this.decodeStored(window, input, this.reader);
      else await readExtents(this.reader, input, () => bytesAt(this.k, window, input.pages * ps));
      return input.pages;
    }
    const count = input.byteLength / ps;
    if (!Number.isInteger(count)) throw new RangeError(`input length ${input.byteLength} is not a whole number of pages`);
    this.checkCount(count);
    bytesAt(this.k, window, input.byteLength).set(new Uint8Array(input));
    return count;
  }

  /** Reads the pages' stored forms in a few large reads and decodes them into the window, page after page. */
  private async decodeStored(window: number, input: StoredPages, reader: WorkerReader): Promise<void> {
    const ps = this.pageSize;
    const [d, e] = [input.descs, input.extents];
    let total = 0;
    for (let i = 1; i < e.length; i += 2) total += e[i]!;
    const stored = new Uint8Array(total);
    await readExtents(reader, input, () => stored);
    const decompressors = (this.decompressors ??= defaultDecompressors());
    for (let i = 0; i < input.pages; i++) {
      const [pfn, size, flags, at] = [d[4 * i]!, d[4 * i + 1]!, d[4 * i + 2]!, d[4 * i + 3]!];
      if (at + size > total) throw new RangeError(`stored page ${i} lies past the ${total} bytes read`);
      const page = await decodeStoredPage(input.ref.name, pfn, { size, flags }, stored.subarray(at, at + size), ps, decompressors);
      bytesAt(this.k, window + i * ps, ps).set(page);
    }
  }

  /**
   * Moves the picked pages (ascending) to the front of the window, in order. `packed` says which page sits at each
   * place now (default: every page where it was loaded); picked must be a subset of it.
   */
  private pack(window: number, picked: number[], packed?: number[]): void {
    const ps = this.pageSize;
    const mem = new Uint8Array(this.k.memory.buffer);
    let from = 0;
    picked.forEach((page, j) => {
      if (packed) while (packed[from] !== page) from++;
      else from = page;
      if (from !== j) mem.copyWithin(window + j * ps, window + from * ps, window + (from + 1) * ps);
    });
  }

  /**
   * Compresses `count` consecutive pages from `input`, a codec batch at a time, their size words into `sizes` from
   * `first`. The stored forms go back to back from `output`, or are dropped without it (measuring needs sizes only);
   * returns their bytes.
   */
  private compressRun(c: PageCompressor, input: number, count: number, output: number | undefined, sizes: Uint32Array, first: number): number {
    let bytes = 0;
    for (let at = 0; at < count; at += this.codecBatch)
      bytes += c.compressAtInto(input + at * this.pageSize, Math.min(this.codecBatch, count - at), output === undefined ? undefined : output + bytes, sizes, first + at);
    return bytes;
  }

  /**
   * Compresses the picked pages (ascending) of the window without packing them all first: a run of at least
   * IN_PLACE_RUN_BYTES is compressed where it was loaded, shorter runs are moved up behind the pages before them. Each
   * stored form lands at the window's front, never past the pages already compressed, so it overwrites no page still
   * to be read; every page is compressed on its own, so the stored forms are those of the packed window.
   */
  private compressPicked(window: number, codec: CodecId, picked: readonly number[]): { sizes: Uint32Array; bytes: number } {
    const ps = this.pageSize;
    const longRun = pagesIn(IN_PLACE_RUN_BYTES, ps);
    const c = this.compressor(codec);
    const mem = new Uint8Array(this.k.memory.buffer);
    const sizes = new Uint32Array(picked.length);
    let bytes = 0;
    let done = 0; // pages compressed so far: their stored forms fill [window, window + bytes)
    // The pages waiting to be compressed, in order, at slots [from, to) of the window.
    let from = 0;
    let to = 0;
    const flush = () => {
      bytes += this.compressRun(c, window + from * ps, to - from, window + bytes, sizes, done);
      done += to - from;
      from = to = done;
    };
    for (let i = 0; i < picked.length; ) {
      const start = picked[i]!;
      let end = start + 1;
      for (i++; i < picked.length && picked[i] === end; i++) end++;
      if (start === to) to = end;
      else if (end - start >= longRun) {
        flush();
        from = start;
        to = end;
      } else {
        mem.copyWithin(window + to * ps, window + start * ps, window + end * ps);
        to += end - start;
      }
    }
    flush();
    return { sizes, bytes };
  }

  private checkCount(pages: number): void {
    if (!Number.isInteger(pages) || pages < 0 || pages > this.windowPages) throw new RangeError(`a compute task carries at most ${this.windowPages} pages, not ${pages}`);
  }

  private compressor(codec: CodecId): PageCompressor {
    let c = this.compressors.get(codec);
    if (!c) {
      c = createCompressor(this.k, codec, this.pageSize, this.codecBatch);
      this.compressors.set(codec, c);
    }
    return c;
  }
}

function pickPages(count: number, keep: (i: number) => boolean): number[] {
  const picked: number[] = [];
  for (let i = 0; i < count; i++) if (keep(i)) picked.push(i);
  return picked;
}
