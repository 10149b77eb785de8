import { PageBatcher } from './page-batcher.js';

/** The wasm exports the zstd facade uses (build/wasm/vmsieve.wasm). */
export interface ZstdKernelExports {
  memory: WebAssembly.Memory;
  arenaAlloc(bytes: number): number;
  zstdCompressPages(input: number, pages: number, pageSize: number, output: number, outputCapacity: number, sizes: number): number;
}

/**
 * zstd per page, as makedumpfile `-z` stores it (one standard frame per page with the content size,
 * DUMP_DH_COMPRESSED_ZSTD). Takes an instantiated kernel, so it works in Node and in a browser worker.
 */
export class ZstdPageCompressor extends PageBatcher {
  constructor(k: ZstdKernelExports, pageSize: number, maxPages = 1024) {
    super(k, (...a) => k.zstdCompressPages(...a), pageSize, maxPages, { name: 'zstdCompressPages' });
  }
}
