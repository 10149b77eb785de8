import type { WorkerShape } from './compute-api.js';

/**
 * A browser compute worker's shape: its Blob reads are asynchronous, so it holds two tasks (the next one's pages
 * arrive while it works on this one's), and big windows, since large Blob reads are faster per byte.
 */
export const BROWSER_COMPUTE_SHAPE: Required<WorkerShape> = { slots: 2, windowPages: 8192 };
