import * as Comlink from 'comlink';
import { VmsieveError } from '../errors.js';
import type { WorkerReader } from '../io/worker-reader.js';
import { instantiateKernels } from '../wasm/kernels.js';
import type { ComputeApi, WorkerShape } from './compute-api.js';
import { PageCompute } from './page-compute.js';

type Transfer = <T>(value: T, buffers: ArrayBuffer[]) => T;

/**
 * The ComputeApi over one wasm instance. `reader` lets it read the dump itself (tasks given as extents); `transfer`
 * marks result buffers to move rather than copy when crossing a worker boundary.
 */
export function computeService(reader?: WorkerReader, transfer: Transfer = (v) => v, shape: WorkerShape = {}): ComputeApi {
  let compute: PageCompute | undefined;
  const ready = (): PageCompute => {
    if (!compute) throw new VmsieveError('E_UNSUPPORTED', 'compute worker used before init()');
    return compute;
  };
  return {
    async init(module, pageSize) {
      compute = new PageCompute(await instantiateKernels(module), pageSize, reader, shape.slots, shape.windowBytes);
    },
    async scanZero(pages) {
      const zero = await ready().scanZero(pages);
      return transfer(zero, [zero.buffer as ArrayBuffer]);
    },
    async scanSecrets(pages, runs) {
      return ready().scanSecrets(pages, runs);
    },
    async encode(pages, codec, encodeMask, skipZero) {
      const r = await ready().encode(pages, codec, encodeMask, skipZero);
      return transfer(r, [r.zero.buffer, r.data.buffer, r.sizes.buffer] as ArrayBuffer[]);
    },
    async classify(task) {
      const r = await ready().classify(task);
      return transfer(r, [r.codes.buffer, r.state.buffer] as ArrayBuffer[]);
    },
    async measure(pages, codecs, sample) {
      const r = await ready().measure(pages, codecs, sample);
      return transfer(r, [r.zero.buffer, ...Object.values(r.sizes).map((s) => s!.buffer)] as ArrayBuffer[]);
    },
  };
}

/** Used inside worker entry points: results move back without a copy. */
export const transferringComputeService = (reader: WorkerReader, shape: WorkerShape = {}) =>
  computeService(reader, (v, buffers) => Comlink.transfer(v, uniqueBuffers(buffers)), shape);

function uniqueBuffers(buffers: ArrayBuffer[]): ArrayBuffer[] {
  return [...new Set(buffers)];
}
