import type { KernelExports } from '../wasm/kernels.js';
import { LzoPageCompressor, type LzoKernelExports } from './lzo.js';
import type { CompressedPages } from './page-batcher.js';
import { SnappyPageCompressor, type SnappyKernelExports } from './snappy.js';
import { ZlibPageCompressor, type ZlibKernelExports } from './zlib.js';
import { ZstdPageCompressor, type ZstdKernelExports } from './zstd.js';

export const CODECS = ['zlib', 'lzo', 'snappy', 'zstd'] as const;
export type CodecId = (typeof CODECS)[number];

export interface PageCompressor {
  compress(pages: Uint8Array): CompressedPages;
  /**
   * Compresses pages already in the kernel instance's memory (at most the batch size it was made with), the stored forms
   * moved to `dest` in that memory or dropped (the size words into `sizes` from `first`); returns the bytes written.
   */
  compressAtInto(ptr: number, count: number, dest: number | undefined, sizes: Uint32Array, first: number): number;
}

export { STORED_RAW, storedLength, type CompressedPages } from './page-batcher.js';

type AllCodecExports = KernelExports & ZlibKernelExports & LzoKernelExports & SnappyKernelExports & ZstdKernelExports;

export function createCompressor(k: KernelExports, codec: CodecId, pageSize: number, maxPages = 1024): PageCompressor {
  const all = k as AllCodecExports;
  switch (codec) {
    case 'zlib':
      return new ZlibPageCompressor(all, pageSize, maxPages);
    case 'lzo':
      return new LzoPageCompressor(all, pageSize, maxPages);
    case 'snappy':
      return new SnappyPageCompressor(all, pageSize, maxPages);
    case 'zstd':
      return new ZstdPageCompressor(all, pageSize, maxPages);
  }
}
