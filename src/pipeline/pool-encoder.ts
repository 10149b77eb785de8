import type { CodecId } from '../codecs/registry.js';
import type { Dump } from '../model/dump.js';
import type { PageEncoder } from '../formats/kdump/page-encoder.js';
import type { ComputePool } from '../workers/pool.js';
import { taskPages } from '../model/page-extents.js';

/**
 * The kdump writer's encoder over a pool of compute workers: each batch of page runs goes to an idle worker, which
 * reads the pages itself when it can reach the dump (else they are read here and transferred), finds the zero pages
 * and compresses the rest.
 */
export function poolEncoder(pool: ComputePool, codec: CodecId, dump: Dump): PageEncoder {
  return {
    codec,
    async encodeRuns(runs, count, skipZero) {
      const pages = await taskPages(dump, runs, count);
      return pool.run((api) => api.encode(pages, codec, new Uint8Array(count).fill(1), skipZero));
    },
  };
}
