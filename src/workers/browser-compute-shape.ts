import type { WorkerShape } from './compute-api.js';

/**
 * A browser compute worker's shape: its Blob reads are asynchronous, so it holds two tasks (the next one's pages
 * arrive while it works on this one's). Windows stay at 16 MiB: 32 MiB ones read a little faster, but a worker per
 * core would then hold over 80 MiB each.
 */
export const BROWSER_COMPUTE_SHAPE: Required<WorkerShape> = { slots: 2, windowBytes: 16 << 20 };
