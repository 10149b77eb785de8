import type { KernelExports } from '../wasm/kernels.js';
import { LzoPageCompressor, type CompressedPages, type LzoKernelExports } from './lzo.js';
import { SnappyPageCompressor, type SnappyKernelExports } from './snappy.js';
import { ZlibPageCompressor, type ZlibKernelExports } from './zlib.js';
import { ZstdPageCompressor, type ZstdKernelExports } from './zstd.js';

export const CODECS = ['zlib', 'lzo', 'snappy', 'zstd'] as const;
export type CodecId = (typeof CODECS)[number];

export interface PageCompressor {
  compress(pages: Uint8Array): CompressedPages;
}

/** Bit 31 of a size word: the page is stored raw. */
export const STORED_RAW = 0x8000_0000;
export const storedLength = (sizeWord: number) => sizeWord & 0x7fff_ffff;

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
