import { PageBatcher, STORED_RAW, storedLength, type CompressedPages } from './page-batcher.js';

/** The wasm exports the zlib facade uses (build/wasm/vmsieve.wasm, assembly/deflate/zlib.ts). */
export interface ZlibKernelExports {
  memory: WebAssembly.Memory;
  arenaAlloc(bytes: number): number;
  /** One-time table and scratch set-up (~290 KiB from the wasm heap; may grow memory). */
  zlibInit(): void;
  /**
   * Compresses `pages` pages of `pageSize` bytes at `input`, appends each page's stored form at `output`
   * and writes a u32 per page at `sizes` (length, bit 31 = stored raw). Returns the bytes written, or
   * 0xFFFFFFFF for a page size outside 1..65536 or an output window smaller than the worst case.
   */
  zlibCompressPages(input: number, pages: number, pageSize: number, output: number, outputCapacity: number, sizes: number): number;
}

/** Stored forms of a run of pages (the shared CompressedPages; bit 31 of a size word = stored raw). */
export type ZlibCompressedPages = CompressedPages;

/**
 * zlib per page, as makedumpfile `-c` stores it (one zlib stream per page, DUMP_DH_COMPRESSED_ZLIB;
 * a page whose stream is not smaller is stored raw). Takes an instantiated kernel, so it works in
 * Node and in a browser worker alike. Windows are allocated once in the kernel's arena, after zlibInit.
 */
export class ZlibPageCompressor extends PageBatcher {
  constructor(k: ZlibKernelExports, pageSize: number, maxPages = 1024) {
    super(k, (...a) => k.zlibCompressPages(...a), pageSize, maxPages, { init: () => k.zlibInit(), name: 'zlibCompressPages' });
  }

  /** True when size word `w` (from `sizes`) marks a page stored raw. */
  static isRaw(w: number): boolean {
    return (w & STORED_RAW) !== 0;
  }

  /** Stored length from size word `w`. */
  static length(w: number): number {
    return storedLength(w);
  }
}
