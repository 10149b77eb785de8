import { VmsieveError } from '../../errors.js';
import { mapOrdered } from '../../workers/ordered.js';
import type { PfnRun } from '../../model/page-extents.js';
import { bitRuns } from '../selection.js';
import type { EncodedBatch, PageEncoder } from './page-encoder.js';

/** Consecutive runs of dumpable pfns, `count` pages in all; each run is read with one readPhys. */
interface PageBatch {
  runs: PfnRun[];
  count: number;
}

/**
 * The set bits of `bitmap2` below maxPfn as batches of at most `batchPages` pages, produced lazily (bounded memory):
 * runs longer than a batch are cut, shorter ones are grouped while they fit. Cancelling stops it before the next batch.
 */
function* pageBatches(bitmap2: Uint8Array, maxPfn: number, batchPages: number, signal?: AbortSignal): Generator<PageBatch> {
  const runs = (function* () {
    for (const [s, e] of bitRuns(bitmap2, 0, maxPfn)) for (let p = s; p < e; p += batchPages) yield [p, Math.min(e, p + batchPages)] as const;
  })();
  let next = runs.next();
  while (!next.done) {
    if (signal?.aborted) throw new VmsieveError('E_CANCELLED', 'export cancelled');
    const batch: PageBatch = { runs: [], count: 0 };
    while (!next.done && batch.count + (next.value[1] - next.value[0]) <= batchPages) {
      batch.runs.push(next.value);
      batch.count += next.value[1] - next.value[0];
      next = runs.next();
    }
    yield batch;
  }
}

export interface BatchStreamOptions {
  /** Pages per batch at most. */
  batchPages: number;
  /** Batches being encoded at once (a worker-pool encoder works on them in parallel). */
  inFlight: number;
  /** Leave all-zero pages out of the encoded data. */
  skipZero: boolean;
  signal?: AbortSignal;
}

/**
 * The dumpable pages (set bits of `bitmap2` below maxPfn) in batches, each with what the encoder made of it, in pfn
 * order: up to `inFlight` batches are being encoded while the oldest result is consumed.
 */
export function encodedBatches(
  bitmap2: Uint8Array,
  maxPfn: number,
  encoder: PageEncoder,
  { batchPages, inFlight, skipZero, signal }: BatchStreamOptions,
): AsyncGenerator<{ count: number; encoded: EncodedBatch }> {
  return mapOrdered(pageBatches(bitmap2, maxPfn, batchPages, signal), inFlight, async ({ runs, count }) => ({
    count,
    encoded: await encoder.encodeRuns(runs, count, skipZero),
  }));
}
