import type { KernelExports } from '../wasm/kernels.js';
import { PageBatcher, type CompressedPages, type PageKernel } from './page-batcher.js';

export const CODECS = ['zlib', 'lzo', 'snappy', 'zstd'] as const;
export type CodecId = (typeof CODECS)[number];

export interface PageCompressor {
  readonly pageSize: number;
  compress(pages: Uint8Array): CompressedPages;
  /**
   * Compresses pages already in the kernel instance's memory (at most the batch size it was made with), the stored forms
   * moved to `dest` in that memory or dropped (the size words into `sizes` from `first`); returns the bytes written.
   */
  compressAtInto(ptr: number, count: number, dest: number | undefined, sizes: Uint32Array, first: number): number;
}

export { STORED_RAW, storedLength, type CompressedPages } from './page-batcher.js';

/**
 * Each codec's wasm kernel, storing pages as makedumpfile does: zlib (-c) one zlib stream per page; lzo (-l) a raw
 * LZO1X-1 stream; snappy (-p) a raw block, no framing; zstd (-z) one standard frame with the content size. `init`:
 * set-up that may grow memory, done before the batch windows are allocated.
 */
const KERNELS: Record<CodecId, (k: KernelExports) => { kernel: PageKernel; init?: () => void }> = {
  zlib: (k) => ({ kernel: k.zlibCompressPages, init: k.zlibInit }),
  lzo: (k) => ({ kernel: k.lzoCompressPages }),
  snappy: (k) => ({ kernel: k.snappyCompressPages }),
  zstd: (k) => ({ kernel: k.zstdCompressPages }),
};

/** A compressor for `codec` on one kernel instance, its windows sized for batches of maxPages. Works in Node and in a browser worker alike. */
export function createCompressor(k: KernelExports, codec: CodecId, pageSize: number, maxPages = 1024): PageCompressor {
  const { kernel, init } = KERNELS[codec](k);
  return new PageBatcher(k, kernel, pageSize, maxPages, { init, name: `${codec}CompressPages` });
}
