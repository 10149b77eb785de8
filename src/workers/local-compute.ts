import type { ReadAt } from '../io/read-at.js';
import type { ComputeHandle } from './compute-api.js';
import { computeService } from './compute-service.js';

/** Compute on the calling thread, for one-thread runs and as the reference the parallel output is compared with. */
export function localCompute(readAt?: ReadAt): ComputeHandle {
  return { api: computeService(readAt), terminate: () => undefined };
}
