import * as Comlink from 'comlink';
import { VmsieveError } from '../errors.js';
import { instantiateKernels } from '../wasm/kernels.js';
import type { ComputeApi } from './compute-api.js';
import { PageCompute } from './page-compute.js';

/** The ComputeApi over one wasm instance. `transfer` marks result buffers to move rather than copy when crossing a worker boundary. */
export function computeService(transfer: <T>(value: T, buffers: ArrayBuffer[]) => T = (v) => v): ComputeApi {
  let compute: PageCompute | undefined;
  const ready = (): PageCompute => {
    if (!compute) throw new VmsieveError('E_UNSUPPORTED', 'compute worker used before init()');
    return compute;
  };
  return {
    async init(module, pageSize) {
      compute = new PageCompute(await instantiateKernels(module), pageSize);
    },
    async scanZero(window) {
      const zero = ready().scanZero(new Uint8Array(window));
      return transfer(zero, [zero.buffer as ArrayBuffer]);
    },
    async encode(window, codec, encodeMask, skipZero) {
      const r = ready().encode(new Uint8Array(window), codec, encodeMask, skipZero);
      return transfer(r, [r.zero.buffer, r.data.buffer, r.sizes.buffer] as ArrayBuffer[]);
    },
    async measure(window, codecs) {
      const r = ready().measure(new Uint8Array(window), codecs);
      return transfer(r, [r.zero.buffer, ...Object.values(r.sizes).map((s) => s!.buffer)] as ArrayBuffer[]);
    },
  };
}

/** Used inside worker entry points: results move back without a copy. */
export const transferringComputeService = () => computeService((v, buffers) => Comlink.transfer(v, uniqueBuffers(buffers)));

function uniqueBuffers(buffers: ArrayBuffer[]): ArrayBuffer[] {
  return [...new Set(buffers)];
}
