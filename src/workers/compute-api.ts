import type { CodecId } from '../codecs/registry.js';
import type { RawFinding } from '../secrets/find-secrets.js';
import type { ClassifiedBatch, ClassifyTask, EncodedWindow, MeasuredWindow, PagesInput } from './page-compute.js';

/**
 * What a compute worker offers over comlink. A task's pages arrive as a transferred ArrayBuffer, or as extents the
 * worker reads from the dump itself (no page passes through the caller's thread); results go back transferred.
 */
export interface ComputeApi {
  init(module: WebAssembly.Module, pageSize: number): Promise<void>;
  scanZero(pages: PagesInput): Promise<Uint8Array>;
  /** The (masked) secrets in the pages, which lie in runs of `runs[i]` contiguous pages. */
  scanSecrets(pages: PagesInput, runs: Uint32Array): Promise<RawFinding[]>;
  /** Compresses the pages whose mask byte is 1; with skipZero, all-zero pages are left out too (size word 0). */
  encode(pages: PagesInput, codec: CodecId | 'none', encodeMask: Uint8Array, skipZero?: boolean): Promise<EncodedWindow>;
  /** Stored sizes of the non-zero pages under each codec; with `sample`, page i only under the first sample[i] codecs. */
  measure(pages: PagesInput, codecs: readonly CodecId[], sample?: Uint8Array): Promise<MeasuredWindow>;
  /** Classifies one batch of struct pages from a fresh state, reading the records from the dump itself. */
  classify(task: ClassifyTask): Promise<ClassifiedBatch>;
}

/** How many tasks a worker takes at once, and how many bytes of pages each may carry. */
export interface WorkerShape {
  /** Default 1: more than one where the worker reads asynchronously and can read the next task's pages meanwhile. */
  slots?: number;
  /** Default WINDOW_BYTES; a task carries as many whole pages as fit (at least one). */
  windowBytes?: number;
}

/** A compute worker as the pool holds it: its API, a hard stop, and its shape (the same as the worker was made with). */
export interface ComputeHandle extends WorkerShape {
  api: ComputeApi;
  terminate(): Promise<void> | void;
}
