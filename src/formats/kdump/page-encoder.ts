import type { CodecId } from '../../codecs/registry.js';
import type { PfnRun } from '../page-extents.js';

/** Bit 31 of a size word: the page is stored raw (its compressed form would not be smaller). */
export { STORED_RAW } from '../../codecs/page-batcher.js';

/** Stored forms of `count` pages: back to back in `data`; `sizes[i]` = stored length | STORED_RAW when raw. */
export interface EncodedPages {
  data: Uint8Array;
  sizes: Uint32Array;
}

/**
 * Compresses pages for the kdump writer: `pages` holds `count` pages back to back. The writer calls it
 * with the non-zero dumpable pages, in pfn order, with several batches in flight, and consumes the
 * results in call order, so an encoder may be a pool of workers. The encoder owns `pages` (it may
 * transfer its buffer). A page whose compressed form is not smaller than a page must come back raw:
 * the page itself in `data`, size word pageSize | STORED_RAW.
 */
export interface PageEncoder {
  readonly codec: CodecId;
  encode(pages: Uint8Array, count: number): EncodedPages | Promise<EncodedPages>;
  /**
   * Optional: finds the all-zero pages itself (off the writer's thread) and leaves them out. `sizes` then has one
   * word per page of the batch (0 for a zero page) and `zero` flags them.
   */
  encodeSkippingZero?(pages: Uint8Array, count: number): Promise<EncodedPages & { zero: Uint8Array }>;
  /**
   * Optional: reads the `count` pages of `runs` from the dump itself (in the workers, so no page passes through the
   * writer's thread), finds the all-zero ones and, with skipZero, leaves them out. `sizes` has one word per page.
   */
  encodeRuns?(runs: readonly PfnRun[], count: number, skipZero: boolean): Promise<EncodedPages & { zero: Uint8Array }>;
  close?(): void | Promise<void>;
}

/** Anything with the codec facades' shape (src/codecs/registry.ts createCompressor). */
export interface PageCompressorLike {
  compress(pages: Uint8Array): EncodedPages;
}

/** In-thread encoder over one of the AssemblyScript codec facades. */
export function compressorEncoder(codec: CodecId, compressor: PageCompressorLike): PageEncoder {
  return {
    codec,
    encode(pages, count) {
      const pageSize = pages.length / count;
      return compressor.compress(pages.subarray(0, count * pageSize));
    },
  };
}
