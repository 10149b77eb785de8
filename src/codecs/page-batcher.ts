import { concatBytes } from '../io/concat.js';
import { bytesAt, type KernelExports } from '../wasm/kernels.js';

/** Bit 31 of a size word: the page is stored raw (compression did not make it smaller). */
export const STORED_RAW = 0x8000_0000;

/** Stored length from a size word (without the STORED_RAW bit). */
export const storedLength = (sizeWord: number) => sizeWord & 0x7fff_ffff;

/** Stored forms of a run of pages: `data` holds them back to back; `sizes[i]` = length | STORED_RAW when raw. */
export interface CompressedPages {
  data: Uint8Array;
  sizes: Uint32Array;
}

/**
 * The ABI every page codec kernel shares: (input, pages, pageSize, output, outputCapacity, sizes) → bytes
 * written; a page that does not fit in outputCapacity gets size word 0 and stops the batch; 0xFFFFFFFF when the
 * kernel rejects its arguments.
 */
export type PageKernel = (input: number, pages: number, pageSize: number, output: number, outputCapacity: number, sizes: number) => number;

export interface PageBatcherOptions {
  /** Called after the arguments are checked and before the windows are allocated (e.g. zlibInit, which may grow memory). */
  init?: () => void;
  /** The kernel's name, for the errors it reports. */
  name: string;
}

/**
 * The one facade over the page codec kernels: fixed windows in one kernel instance's arena, allocated once, and
 * the batching loop. The output window holds maxPages pages, the worst case (a stored page is never longer than
 * the page), so a batch never runs out of room.
 */
export class PageBatcher {
  /** Allocated on the first compress(): callers that only use compressAt never need it. */
  private inputPtr = 0;
  private readonly output: number;
  private readonly sizesPtr: number;
  private readonly name: string;

  constructor(
    private readonly k: KernelExports,
    private readonly kernel: PageKernel,
    readonly pageSize: number,
    readonly maxPages: number,
    options: PageBatcherOptions,
  ) {
    if (!Number.isInteger(pageSize) || pageSize <= 0 || pageSize > 65536) throw new RangeError(`bad page size ${pageSize}`);
    if (!Number.isInteger(maxPages) || maxPages <= 0) throw new RangeError(`bad batch size ${maxPages}`);
    this.name = options.name;
    options.init?.(); // before the windows, so later calls never grow memory
    this.output = k.arenaAlloc(pageSize * maxPages) >>> 0;
    this.sizesPtr = k.arenaAlloc(maxPages * 4) >>> 0;
  }

  /** Compresses `pages` (a whole number of pages, any count; batches of maxPages go to wasm). */
  compress(pages: Uint8Array): CompressedPages {
    const { pageSize, maxPages } = this;
    if (pages.length % pageSize !== 0) throw new RangeError(`input length ${pages.length} is not a multiple of ${pageSize}`);
    const count = pages.length / pageSize;
    const sizes = new Uint32Array(count);
    const chunks: Uint8Array[] = [];
    for (let first = 0; first < count; first += maxPages) {
      const n = Math.min(maxPages, count - first);
      if (this.inputPtr === 0) this.inputPtr = this.k.arenaAlloc(pageSize * maxPages) >>> 0;
      bytesAt(this.k, this.inputPtr, n * pageSize).set(pages.subarray(first * pageSize, (first + n) * pageSize));
      const r = this.compressAt(this.inputPtr, n);
      sizes.set(r.sizes, first);
      chunks.push(r.data);
    }
    return { data: concatBytes(chunks), sizes };
  }

  /** Compresses `count` (≤ maxPages) pages already in this instance's memory at `ptr`, without copying them in. */
  private compressAt(ptr: number, count: number): CompressedPages {
    const written = this.run(ptr, count);
    return { data: bytesAt(this.k, this.output, written).slice(), sizes: this.sizesOf(count).slice() };
  }

  /**
   * The same, the stored forms moved to `dest` in this instance's memory (which may hold pages already compressed), or
   * dropped with dest undefined, and the size words put in `sizes` from `first` on. Returns the bytes written.
   */
  compressAtInto(ptr: number, count: number, dest: number | undefined, sizes: Uint32Array, first: number): number {
    const written = this.run(ptr, count);
    if (dest !== undefined) new Uint8Array(this.k.memory.buffer).copyWithin(dest, this.output, this.output + written);
    sizes.set(this.sizesOf(count), first);
    return written;
  }

  private run(ptr: number, count: number): number {
    const { pageSize, maxPages } = this;
    if (!Number.isInteger(count) || count < 0 || count > maxPages) throw new RangeError(`${count} pages do not fit a batch of ${maxPages}`);
    const written = this.kernel(ptr, count, pageSize, this.output, maxPages * pageSize, this.sizesPtr) >>> 0;
    if (written === 0xffff_ffff) throw new Error(`${this.name} rejected its arguments`);
    if (count > 0 && this.sizesOf(count)[count - 1] === 0) throw new Error(`${this.name} ran out of output room`);
    return written;
  }

  private sizesOf(count: number): Uint32Array {
    return new Uint32Array(this.k.memory.buffer, this.sizesPtr, count);
  }
}
