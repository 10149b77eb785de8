import type { CodecId } from '../../codecs/registry.js';
import type { PfnRun } from '../../model/page-extents.js';

/** Bit 31 of a size word: the page is stored raw (its compressed form would not be smaller). */
export { STORED_RAW } from '../../codecs/page-batcher.js';

/** Stored forms of `count` pages: back to back in `data`; `sizes[i]` = stored length | STORED_RAW when raw. */
export interface EncodedPages {
  data: Uint8Array;
  sizes: Uint32Array;
}

/**
 * Compresses pages for the kdump writer in its own thread: `pages` holds `count` pages back to back (the non-zero
 * dumpable pages of a batch, in pfn order). A page whose compressed form is not smaller than a page must come back
 * raw: the page itself in `data`, size word pageSize | STORED_RAW.
 */
export interface InThreadEncoder {
  readonly codec: CodecId;
  encode(pages: Uint8Array, count: number): EncodedPages | Promise<EncodedPages>;
}

/**
 * Compresses batches of page runs elsewhere (compute workers): it reads the `count` pages of `runs` from the dump
 * itself, finds the all-zero ones and, with skipZero, leaves them out; `sizes` has one word per page (0 for a page
 * left out), `zero` flags the zero pages. The writer keeps several batches in flight and takes results in call order.
 */
export interface RunsEncoder {
  readonly codec: CodecId;
  encodeRuns(runs: readonly PfnRun[], count: number, skipZero: boolean): Promise<EncodedPages & { zero: Uint8Array }>;
}

export type PageEncoder = InThreadEncoder | RunsEncoder;

/** Anything with the codec facades' shape (src/codecs/registry.ts createCompressor). */
export interface PageCompressorLike {
  compress(pages: Uint8Array): EncodedPages;
}

/** In-thread encoder over one of the AssemblyScript codec facades. */
export function compressorEncoder(codec: CodecId, compressor: PageCompressorLike): InThreadEncoder {
  return {
    codec,
    encode(pages, count) {
      const pageSize = pages.length / count;
      return compressor.compress(pages.subarray(0, count * pageSize));
    },
  };
}
