import { STORED_RAW } from '../../codecs/registry.js';
import type { Dump } from '../../model/dump.js';
import { readRuns, type PfnRun } from '../../model/page-extents.js';
import { isZeroPage } from '../zero-page.js';
import type { PageEncoder } from './page-encoder.js';
import type { KdumpDump } from './read-kdump.js';

/** The pages of a batch read in this thread, and which of them are all zero (looked for only with skipZero). */
export async function readBatch(dump: Dump | KdumpDump, runs: readonly PfnRun[], count: number, skipZero: boolean): Promise<{ pages: Uint8Array; zero: Uint8Array }> {
  const ps = dump.pageSize;
  const pages = await readRuns(dump, runs, count);
  const zero = new Uint8Array(count);
  if (skipZero) for (let i = 0; i < count; i++) zero[i] = isZeroPage(pages, i * ps, ps) ? 1 : 0;
  return { pages, zero };
}

/**
 * The encoder of a kdump file without compression (makedumpfile without -c/-l/-p/-z): the pages read in this thread
 * and stored as they are, each run of kept pages one piece of the data (no copy).
 */
export function storedRaw(dump: Dump | KdumpDump): PageEncoder {
  const ps = dump.pageSize;
  return {
    async encodeRuns(runs, count, skipZero) {
      const { pages, zero } = await readBatch(dump, runs, count, skipZero);
      const sizes = new Uint32Array(count);
      const data: Uint8Array[] = [];
      for (let i = 0; i < count; ) {
        if (zero[i]) {
          i++;
          continue;
        }
        let end = i + 1;
        while (end < count && !zero[end]) end++;
        sizes.fill((ps | STORED_RAW) >>> 0, i, end);
        data.push(pages.subarray(i * ps, end * ps));
        i = end;
      }
      return { zero, sizes, data };
    },
  };
}
