import { PageBatcher } from './page-batcher.js';

/** The wasm exports the LZO facade uses (build/wasm/vmsieve.wasm). */
export interface LzoKernelExports {
  memory: WebAssembly.Memory;
  arenaAlloc(bytes: number): number;
  lzoCompressPages(input: number, pages: number, pageSize: number, output: number, outputCapacity: number, sizes: number): number;
}

/**
 * LZO1X-1 per page, as makedumpfile `-l` stores it (raw lzo1x stream, DUMP_DH_COMPRESSED_LZO).
 * Takes an instantiated kernel, so it works in Node and in a browser worker alike.
 */
export class LzoPageCompressor extends PageBatcher {
  constructor(k: LzoKernelExports, pageSize: number, maxPages = 1024) {
    super(k, (...a) => k.lzoCompressPages(...a), pageSize, maxPages, { name: 'lzoCompressPages' });
  }
}
