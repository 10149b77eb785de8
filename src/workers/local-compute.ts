import type { WorkerReader } from '../io/worker-reader.js';
import type { ComputeHandle } from './compute-api.js';
import { computeService } from './compute-service.js';

/** Compute on the calling thread, for one-thread runs and as the reference the parallel output is compared with. */
export function localCompute(reader?: WorkerReader): ComputeHandle {
  return { api: computeService(reader), terminate: () => undefined };
}
