import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { installErrorTransfer } from './comlink-errors.js';
import type { ComputeApi, ComputeHandle } from './compute-api.js';
import { transferringClient, workerFailure } from './transfer-client.js';
import { ComputePool } from './pool.js';
import { nodeWasmModule } from '../wasm/node-module.js';

/** Worker threads run compiled JavaScript; under a TypeScript test runner, use the build output. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../build/lib/workers/node-compute-worker.js', import.meta.url)
    : new URL('./node-compute-worker.js', import.meta.url);
}

export function spawnNodeCompute(): ComputeHandle {
  installErrorTransfer();
  const worker = new Worker(workerUrl());
  let stopping = false;
  const failed = workerFailure('thread', (fail) => {
    worker.once('error', (e) => fail(e.message));
    worker.once('exit', (code) => stopping || fail(`it exited (code ${code})`));
  });
  const api = transferringClient(Comlink.wrap<ComputeApi>(nodeEndpoint(worker)) as unknown as ComputeApi, failed);
  return {
    api,
    terminate: async () => {
      stopping = true;
      await worker.terminate();
    },
  };
}

/** `threads` worker threads (default: one per core), each with an instance of the wasm kernels. */
export async function nodeComputePool(pageSize: number, threads = availableParallelism()): Promise<ComputePool> {
  return ComputePool.create(Array.from({ length: threads }, spawnNodeCompute), await nodeWasmModule(), pageSize);
}
