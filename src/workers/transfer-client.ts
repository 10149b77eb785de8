import * as Comlink from 'comlink';
import type { ComputeApi } from './compute-api.js';

/** Wraps a comlink remote so windows move to the worker instead of being copied; the caller gives them up. */
export function transferringClient(remote: ComputeApi): ComputeApi {
  return {
    init: (module, pageSize) => remote.init(module, pageSize),
    scanZero: (window) => remote.scanZero(Comlink.transfer(window, [window])),
    encode: (window, codec, mask, skipZero) => remote.encode(Comlink.transfer(window, [window]), codec, mask, skipZero),
    measure: (window, codecs) => remote.measure(Comlink.transfer(window, [window]), codecs),
  };
}
