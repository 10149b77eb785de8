import { bytesAt, type KernelExports } from './kernels.js';

/** SIMD zero-page scan over windows copied into a fixed arena once per call batch. */
export class ZeroScanner {
  private readonly input: number;
  private readonly flags: number;

  constructor(
    private readonly k: KernelExports,
    readonly pageSize: number,
    readonly maxPages = 1024,
  ) {
    if (pageSize % 128 !== 0) throw new RangeError(`page size ${pageSize} is not a multiple of 128`);
    this.input = k.arenaAlloc(pageSize * maxPages) >>> 0;
    this.flags = k.arenaAlloc(maxPages) >>> 0;
  }

  /** One byte per page: 1 when every byte of the page is zero. */
  scan(pages: Uint8Array): Uint8Array {
    const count = pages.length / this.pageSize;
    if (!Number.isInteger(count)) throw new RangeError(`input length ${pages.length} is not a whole number of pages`);
    const out = new Uint8Array(count);
    for (let first = 0; first < count; first += this.maxPages) {
      const n = Math.min(this.maxPages, count - first);
      bytesAt(this.k, this.input, n * this.pageSize).set(pages.subarray(first * this.pageSize, (first + n) * this.pageSize));
      this.k.scanZeroPages(this.input, n, this.pageSize, this.flags);
      out.set(bytesAt(this.k, this.flags, n), first);
    }
    return out;
  }
}
