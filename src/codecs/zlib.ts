import { bytesAt, instantiateKernels, type KernelExports } from '../wasm/kernels.js';

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

/** Bit 31 of a size word: the page is stored raw (its zlib stream would not be smaller). */
const RAW = 0x8000_0000;

/** Stored forms of a run of pages: `data` holds them back to back; `sizes[i]` = length | bit 31 when raw. */
export interface ZlibCompressedPages {
  data: Uint8Array;
  sizes: Uint32Array;
}

/**
 * zlib per page, as makedumpfile `-c` stores it (one zlib stream per page, DUMP_DH_COMPRESSED_ZLIB;
 * a page whose stream is not smaller is stored raw). Takes an instantiated kernel, so it works in
 * Node and in a browser worker alike. Windows are allocated once in the kernel's arena.
 */
export class ZlibPageCompressor {
  private readonly input: number;
  private readonly output: number;
  private readonly sizesPtr: number;

  constructor(
    private readonly k: ZlibKernelExports,
    readonly pageSize = 4096,
    readonly maxPages = 1024,
  ) {
    if (!Number.isInteger(pageSize) || pageSize <= 0 || pageSize > 65536) throw new RangeError(`bad page size ${pageSize}`);
    if (!Number.isInteger(maxPages) || maxPages <= 0) throw new RangeError(`bad batch size ${maxPages}`);
    k.zlibInit(); // before the windows, so later calls never grow memory
    const window = pageSize * maxPages;
    this.input = k.arenaAlloc(window) >>> 0;
    this.output = k.arenaAlloc(window) >>> 0;
    this.sizesPtr = k.arenaAlloc(maxPages * 4) >>> 0;
  }

  /** True when size word `w` (from `sizes`) marks a page stored raw. */
  static isRaw(w: number): boolean {
    return (w & RAW) !== 0;
  }

  /** Stored length from size word `w`. */
  static length(w: number): number {
    return w & 0x7fff_ffff;
  }

  /** Compresses `pages` (a whole number of pages, any count; batches of maxPages go to wasm). */
  compress(pages: Uint8Array): ZlibCompressedPages {
    const { pageSize, maxPages } = this;
    const k = this.k as unknown as KernelExports;
    if (pages.length % pageSize !== 0) throw new RangeError(`input length ${pages.length} is not a multiple of ${pageSize}`);
    const count = pages.length / pageSize;
    const sizes = new Uint32Array(count);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (let first = 0; first < count; first += maxPages) {
      const n = Math.min(maxPages, count - first);
      bytesAt(k, this.input, n * pageSize).set(pages.subarray(first * pageSize, (first + n) * pageSize));
      const written = this.k.zlibCompressPages(this.input, n, pageSize, this.output, maxPages * pageSize, this.sizesPtr) >>> 0;
      if (written === 0xffff_ffff) throw new Error('zlibCompressPages rejected its arguments');
      sizes.set(new Uint32Array(this.k.memory.buffer, this.sizesPtr, n), first);
      chunks.push(bytesAt(k, this.output, written).slice());
      total += written;
    }
    if (chunks.length === 1) return { data: chunks[0]!, sizes };
    const data = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
    return { data, sizes };
  }
}

/** Node convenience: compiles build/wasm/vmsieve.wasm once and returns a compressor on a fresh instance. */
export async function nodeZlibPageCompressor(pageSize = 4096, maxPages = 1024): Promise<ZlibPageCompressor> {
  // Imported lazily so that browser bundles of this module never pull in node:fs.
  const { nodeWasmModule } = await import('../wasm/node-module.js');
  const k = (await instantiateKernels(await nodeWasmModule())) as unknown as ZlibKernelExports;
  return new ZlibPageCompressor(k, pageSize, maxPages);
}
