import { createCompressor, type CodecId, type PageCompressor } from '../codecs/registry.js';
import { VmsieveError } from '../errors.js';
import { readExtents, type ReadAt } from '../io/read-at.js';
import type { PageExtents } from '../io/source-ref.js';
import { bytesAt, type KernelExports } from '../wasm/kernels.js';
import { ZeroScanner } from '../wasm/zero-scan.js';

/** Pages a compute task may carry: the window every task's pages are loaded into. */
export const WINDOW_PAGES = 1024;

/** A task's pages: bytes read (and transferred) by the caller, or where the worker reads them itself. */
export type PagesInput = ArrayBuffer | PageExtents;

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

/**
 * The work a compute worker does on a window; runs on one wasm instance, synchronously. Every task's pages are
 * loaded once into one window in wasm memory (read straight into it when the worker reads the dump itself), then
 * zero-scanned, packed and compressed there without further copies.
 */
export class PageCompute {
  private readonly zeroScanner: ZeroScanner;
  private readonly compressors = new Map<CodecId, PageCompressor>();
  private readonly window: number;

  constructor(
    private readonly k: KernelExports,
    readonly pageSize: number,
    private readonly readAt?: ReadAt,
  ) {
    this.zeroScanner = new ZeroScanner(k, pageSize, WINDOW_PAGES);
    this.window = k.arenaAlloc(pageSize * WINDOW_PAGES) >>> 0;
  }

  scanZero(input: PagesInput): Uint8Array {
    return this.zeroScanner.scanAt(this.window, this.load(input));
  }

  /** Zero-scans the window and compresses every page with `encode[i] = 1` (all-zero pages too, unless skipZero). 'none' stores pages raw. */
  encode(input: PagesInput, codec: CodecId | 'none', encode: Uint8Array, skipZero = false): EncodedWindow {
    const count = this.load(input);
    const zero = this.zeroScanner.scanAt(this.window, count);
    const picked = pickPages(count, (i) => encode[i] === 1 && !(skipZero && zero[i]));
    this.pack(picked);
    const sizes = new Uint32Array(count);
    if (codec === 'none') {
      for (const i of picked) sizes[i] = this.pageSize | 0x8000_0000;
      return { zero, data: bytesAt(this.k, this.window, picked.length * this.pageSize).slice(), sizes };
    }
    const out = this.compressor(codec).compressAt(this.window, picked.length);
    picked.forEach((page, j) => (sizes[page] = out.sizes[j]!));
    return { zero, data: out.data, sizes };
  }

  /**
   * Measures non-zero pages under each codec (analyse mode needs sizes only, not bytes); with `sample`, only the
   * pages whose sample byte is 1. Every page is zero-scanned either way.
   */
  measure(input: PagesInput, codecs: readonly CodecId[], sample?: Uint8Array): MeasuredWindow {
    const count = this.load(input);
    const zero = this.zeroScanner.scanAt(this.window, count);
    const picked = pickPages(count, (i) => !zero[i] && (!sample || sample[i] === 1));
    this.pack(picked);
    const sizes: MeasuredWindow['sizes'] = {};
    for (const codec of codecs) {
      const words = new Uint32Array(count);
      const out = picked.length ? this.compressor(codec).compressAt(this.window, picked.length).sizes : words;
      picked.forEach((page, j) => (words[page] = out[j]!));
      sizes[codec] = words;
    }
    return { zero, sizes };
  }

  /** Puts the task's pages at the start of the window; returns how many there are. */
  private load(input: PagesInput): number {
    const ps = this.pageSize;
    if ('extents' in input) {
      checkCount(input.pages);
      if (!this.readAt) throw new VmsieveError('E_UNSUPPORTED', 'this compute worker cannot read the dump itself: send it the pages');
      readExtents(this.readAt, input, bytesAt(this.k, this.window, input.pages * ps));
      return input.pages;
    }
    const count = input.byteLength / ps;
    if (!Number.isInteger(count)) throw new RangeError(`input length ${input.byteLength} is not a whole number of pages`);
    checkCount(count);
    bytesAt(this.k, this.window, input.byteLength).set(new Uint8Array(input));
    return count;
  }

  /** Moves the picked pages (ascending) to the front of the window, in order. */
  private pack(picked: number[]): void {
    const ps = this.pageSize;
    const mem = new Uint8Array(this.k.memory.buffer);
    picked.forEach((page, j) => {
      if (page !== j) mem.copyWithin(this.window + j * ps, this.window + page * ps, this.window + (page + 1) * ps);
    });
  }

  private compressor(codec: CodecId): PageCompressor {
    let c = this.compressors.get(codec);
    if (!c) {
      c = createCompressor(this.k, codec, this.pageSize, WINDOW_PAGES);
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

function checkCount(pages: number): void {
  if (!Number.isInteger(pages) || pages < 0 || pages > WINDOW_PAGES) throw new RangeError(`a compute task carries at most ${WINDOW_PAGES} pages, not ${pages}`);
}
