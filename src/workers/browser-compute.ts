import * as Comlink from 'comlink';
import { installErrorTransfer } from './comlink-errors.js';
import type { ComputeApi, ComputeHandle } from './compute-api.js';
import { BROWSER_COMPUTE_SHAPE } from './browser-compute-shape.js';
import { transferringClient, workerFailure } from './transfer-client.js';

/**
 * One compute worker in the browser: a module Web Worker running `browser-compute-worker.js` (its TypeScript source under a bundler), driven over comlink.
 * The wasm module is not compiled here: `ComputePool.create(handles, module, pageSize)` posts the module that the
 * caller compiled once (structured clone of a `WebAssembly.Module`), and each worker instantiates it. Tasks name the
 * File and the extents to read (the worker reads them itself) or carry transferred ArrayBuffers; results come back
 * transferred (see compute-service.ts). Works from a page and from inside a dedicated
 * worker (nested workers), which is where vmsieve's dump worker spawns its pool.
 */
export function spawnBrowserCompute(name = 'vmsieve-compute'): ComputeHandle {
  installErrorTransfer();
  const worker = new Worker(new URL('./browser-compute-worker.js', import.meta.url), { type: 'module', name });
  const remote = Comlink.wrap<ComputeApi>(worker);
  const failed = workerFailure(name, (fail) => {
    worker.addEventListener('error', (e) => fail(e instanceof ErrorEvent && e.message ? e.message : 'its script could not be loaded or run'));
    worker.addEventListener('messageerror', () => fail('it could not read a message sent to it'));
  });
  let stopped = false;
  return {
    api: transferringClient(remote as unknown as ComputeApi, failed),
    ...BROWSER_COMPUTE_SHAPE,
    terminate() {
      if (stopped) return;
      stopped = true;
      // Release comlink's proxy first (it posts a message), then stop the thread: work in progress is abandoned.
      try {
        remote[Comlink.releaseProxy]();
      } catch {
        // already released or the port is closed
      }
      worker.terminate();
    },
  };
}

/** More workers than this cost memory and start-up and gain nothing on any machine a browser runs on. */
const MAX_BROWSER_THREADS = 64;

/**
 * How many compute workers to start: as many as asked (whole, at most 64), else (nothing asked, or not a count) one
 * per logical core the browser reports (4 where it does not say).
 */
export function browserThreads(asked?: number): number {
  const n = Math.floor(Number(asked));
  if (Number.isFinite(n) && n >= 1) return Math.min(n, MAX_BROWSER_THREADS);
  return Math.max(1, Math.min(MAX_BROWSER_THREADS, globalThis.navigator?.hardwareConcurrency || 4));
}
