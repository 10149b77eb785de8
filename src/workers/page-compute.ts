import { createCompressor, type CodecId, type PageCompressor } from '../codecs/registry.js';
import type { KernelExports } from '../wasm/kernels.js';
import { ZeroScanner } from '../wasm/zero-scan.js';

/** What one window of pages became: zero flags for every page, and the stored forms of the pages that were encoded. */
export interface EncodedWindow {
  zero: Uint8Array;
  /** Stored forms of the encoded pages, back to back, in page order. */
  data: Uint8Array;
  /** One size word per page of the window (0 for pages not encoded); bit 31 = stored raw. */
  sizes: Uint32Array;
}

/** Per-page stored sizes under each codec, for analyse mode; zero pages measure 0. */
export interface MeasuredWindow {
  zero: Uint8Array;
  sizes: Partial<Record<CodecId, Uint32Array>>;
}

/** The work a compute worker does on a window; runs on one wasm instance, synchronously. */
export class PageCompute {
  private readonly zeroScanner: ZeroScanner;
  private readonly compressors = new Map<CodecId, PageCompressor>();

  constructor(
    private readonly k: KernelExports,
    readonly pageSize: number,
  ) {
    this.zeroScanner = new ZeroScanner(k, pageSize);
  }

  scanZero(window: Uint8Array): Uint8Array {
    return this.zeroScanner.scan(window);
  }

  /** Zero-scans the window and compresses every page with `encode[i] = 1` (all-zero pages too, unless skipZero). 'none' stores pages raw. */
  encode(window: Uint8Array, codec: CodecId | 'none', encode: Uint8Array, skipZero = false): EncodedWindow {
    const zero = this.scanZero(window);
    const mask = skipZero ? encode.map((m, i) => m & (1 - zero[i])) : encode;
    return { zero, ...this.compressMasked(window, codec, mask) };
  }

  /** Measures every non-zero page under each codec (analyse mode needs sizes only, not bytes). */
  measure(window: Uint8Array, codecs: readonly CodecId[]): MeasuredWindow {
    const zero = this.scanZero(window);
    const nonZero = zero.map((z) => 1 - z);
    const sizes: MeasuredWindow['sizes'] = {};
    for (const codec of codecs) sizes[codec] = this.compressMasked(window, codec, nonZero).sizes;
    return { zero, sizes };
  }

  private compressMasked(window: Uint8Array, codec: CodecId | 'none', encode: Uint8Array): Omit<EncodedWindow, 'zero'> {
    const ps = this.pageSize;
    const count = window.length / ps;
    const picked: number[] = [];
    for (let i = 0; i < count; i++) if (encode[i]) picked.push(i);
    const compact = picked.length === count ? window : new Uint8Array(picked.length * ps);
    if (compact !== window) picked.forEach((page, j) => compact.set(window.subarray(page * ps, (page + 1) * ps), j * ps));
    const sizes = new Uint32Array(count);
    if (codec === 'none') {
      for (const i of picked) sizes[i] = ps | 0x8000_0000;
      return { data: compact, sizes };
    }
    const out = this.compressor(codec).compress(compact);
    picked.forEach((page, j) => (sizes[page] = out.sizes[j]));
    return { data: out.data, sizes };
  }

  private compressor(codec: CodecId): PageCompressor {
    let c = this.compressors.get(codec);
    if (!c) {
      c = createCompressor(this.k, codec, this.pageSize);
      this.compressors.set(codec, c);
    }
    return c;
  }
}
