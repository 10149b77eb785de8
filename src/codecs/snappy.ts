import { PageBatcher } from './page-batcher.js';

/** The wasm exports the snappy facade uses (build/wasm/vmsieve.wasm). */
export interface SnappyKernelExports {
  memory: WebAssembly.Memory;
  arenaAlloc(bytes: number): number;
  snappyCompressPages(input: number, pages: number, pageSize: number, output: number, outputCapacity: number, sizes: number): number;
}

/**
 * Snappy per page, as makedumpfile `-p` stores it (raw snappy block, no framing,
 * DUMP_DH_COMPRESSED_SNAPPY). Takes an instantiated kernel, so it works in Node and in a browser worker.
 */
export class SnappyPageCompressor extends PageBatcher {
  constructor(k: SnappyKernelExports, pageSize: number, maxPages = 1024) {
    super(k, (...a) => k.snappyCompressPages(...a), pageSize, maxPages, { name: 'snappyCompressPages' });
  }
}
