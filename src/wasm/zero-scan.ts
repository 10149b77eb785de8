import type { PageExtents } from '../io/source-ref.js';
import { readExtents, type WorkerReader } from '../io/worker-reader.js';
import { bytesAt, type KernelExports } from './kernels.js';

/** Bytes of the arena pages are copied into for scan() unless maxPages says otherwise. */
const SCAN_ARENA_BYTES = 4 << 20;

/** SIMD zero-page scan, over pages already in wasm memory or copied into a fixed arena (allocated on first use). */
export class ZeroScanner {
  private inputPtr = 0;
  private readonly flags: number;

  constructor(
    private readonly k: KernelExports,
    readonly pageSize: number,
    readonly maxPages = Math.max(1, Math.floor(SCAN_ARENA_BYTES / pageSize)),
  ) {
    if (pageSize % 128 !== 0) throw new RangeError(`page size ${pageSize} is not a multiple of 128`);
    this.flags = k.arenaAlloc(maxPages) >>> 0;
  }

  /** One byte per page: 1 when every byte of the page is zero. */
  scan(pages: Uint8Array): Uint8Array {
    const count = pages.length / this.pageSize;
    if (!Number.isInteger(count)) throw new RangeError(`input length ${pages.length} is not a whole number of pages`);
    const out = new Uint8Array(count);
    for (let first = 0; first < count; first += this.maxPages) {
      const n = Math.min(this.maxPages, count - first);
      bytesAt(this.k, this.input(), n * this.pageSize).set(pages.subarray(first * this.pageSize, (first + n) * this.pageSize));
      out.set(this.scanAt(this.input(), n), first);
    }
    return out;
  }

  /** The same for pages (at most maxPages) that `reader` loads straight into the arena. */
  async scanExtents(reader: WorkerReader, input: PageExtents): Promise<Uint8Array> {
    if (input.pages > this.maxPages) throw new RangeError(`${input.pages} pages exceed the scanner's ${this.maxPages}`);
    const ptr = this.input();
    await readExtents(reader, input, () => bytesAt(this.k, ptr, input.pages * this.pageSize));
    return this.scanAt(ptr, input.pages);
  }

  private input(): number {
    if (this.inputPtr === 0) this.inputPtr = this.k.arenaAlloc(this.pageSize * this.maxPages) >>> 0;
    return this.inputPtr;
  }

  /** The same for `count` (≤ maxPages) pages already in this instance's memory at `ptr`. */
  scanAt(ptr: number, count: number): Uint8Array {
    if (count > this.maxPages) throw new RangeError(`${count} pages exceed the scanner's ${this.maxPages}`);
    this.k.scanZeroPages(ptr, count, this.pageSize, this.flags);
    return bytesAt(this.k, this.flags, count).slice();
  }
}
