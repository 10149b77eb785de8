import type { CodecId } from '../../codecs/registry.js';
import type { PfnRun } from '../../model/page-extents.js';

/** What one batch of pages became. */
export interface EncodedBatch {
  /** 1 for each all-zero page of the batch (the writer stores them as the shared zero page when they are excluded). */
  zero: Uint8Array;
  /** One word per page of the batch: stored length | STORED_RAW when stored raw; 0 for a zero page left out. */
  sizes: Uint32Array;
  /** The stored forms of the pages not left out, back to back in page order: in one piece, or in several. */
  data: Uint8Array | readonly Uint8Array[];
}

/**
 * The kdump writer's one way to encode pages: it reads the `count` pages of `runs` from the dump (in compute workers,
 * where it can), finds the all-zero ones and, with skipZero, leaves them out. A page whose compressed form is not
 * smaller than a page comes back raw (the page itself, size word pageSize | STORED_RAW). The writer keeps several
 * batches in flight and takes their results in call order.
 */
export interface PageEncoder {
  /** The codec of the compressed pages; none: every page is stored raw. */
  readonly codec?: CodecId;
  encodeRuns(runs: readonly PfnRun[], count: number, skipZero: boolean): Promise<EncodedBatch>;
}
