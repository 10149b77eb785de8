import * as Comlink from 'comlink';
import { VmsieveError } from '../errors.js';
import type { ComputeApi } from './compute-api.js';
import type { PagesInput } from './page-compute.js';

/** Pages sent as bytes move to the worker instead of being copied (the caller gives them up); extents are tiny and cloned. */
const moved = (pages: PagesInput): PagesInput => ('extents' in pages ? pages : Comlink.transfer(pages, [pages]));

/**
 * Wraps a comlink remote so that page windows are transferred, not copied, and every call settles when the worker
 * dies (`failed` rejects): comlink itself would wait for its reply forever.
 */
export function transferringClient(remote: ComputeApi, failed: Promise<never>): ComputeApi {
  const settled = <T>(reply: Promise<T>): Promise<T> => Promise.race([reply, failed]);
  return {
    init: (module, pageSize) => settled(remote.init(module, pageSize)),
    scanZero: (pages) => settled(remote.scanZero(moved(pages))),
    scanSecrets: (pages, runs) => settled(remote.scanSecrets(moved(pages), runs)),
    encode: (pages, codec, mask, skipZero) => settled(remote.encode(moved(pages), codec, mask, skipZero)),
    measure: (pages, codecs, sample) => settled(remote.measure(moved(pages), codecs, sample)),
    classify: (task) => settled(remote.classify(task)),
  };
}

/** A promise that rejects, with E_WORKER and what the runtime said, once `listen` reports the worker failed. */
export function workerFailure(name: string, listen: (fail: (why: string) => void) => void): Promise<never> {
  const failed = new Promise<never>((_, reject) => listen((why) => reject(new VmsieveError('E_WORKER', `the compute worker ${name} failed: ${why}`))));
  failed.catch(() => undefined);
  return failed;
}
