import * as Comlink from 'comlink';
import type { ComputeApi } from './compute-api.js';
import type { PagesInput } from './page-compute.js';

/** Pages sent as bytes move to the worker instead of being copied (the caller gives them up); extents are tiny and cloned. */
const moved = (pages: PagesInput): PagesInput => ('extents' in pages ? pages : Comlink.transfer(pages, [pages]));

/** Wraps a comlink remote so that page windows are transferred, not copied. */
export function transferringClient(remote: ComputeApi): ComputeApi {
  return {
    init: (module, pageSize) => remote.init(module, pageSize),
    scanZero: (pages) => remote.scanZero(moved(pages)),
    scanSecrets: (pages, runs) => remote.scanSecrets(moved(pages), runs),
    encode: (pages, codec, mask, skipZero) => remote.encode(moved(pages), codec, mask, skipZero),
    measure: (pages, codecs, sample) => remote.measure(moved(pages), codecs, sample),
    classify: (task) => remote.classify(task),
  };
}
