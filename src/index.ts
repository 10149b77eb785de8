/**
 * vmsieve for Node: open a vmcore by path or file descriptor, then describe, classify, analyse, export it, or read its
 * kernel log. Compute runs in worker_threads; the wasm kernels ship with the package.
 */
import { NodeFileSource } from './io/node-source.js';
import { nodeWasmModule } from './wasm/node-module.js';
import { Vmcore, type Platform } from './vmcore.js';
import { nodeComputePool } from './workers/node-compute.js';

export * from './shared-exports.js';
export { NodeFileSource } from './io/node-source.js';
export { NodeFileSink, NodeStreamSink, type NodeFileSinkOptions } from './io/node-sink.js';
export { nodeWasmModule } from './wasm/node-module.js';
export { defaultThreads, nodeComputePool } from './workers/node-compute.js';

export const nodePlatform: Platform = {
  wasmModule: nodeWasmModule,
  computePool: (pageSize, threads) => nodeComputePool(pageSize, threads),
};

/**
 * Opens a vmcore (ELF or kdump-compressed) by path, or by a file descriptor the caller keeps open. Throws a
 * VmsieveError (E_IO, E_TRUNCATED, E_NOT_ELF, …) when it cannot be read as a dump.
 */
export async function openVmcore(input: string | number): Promise<Vmcore> {
  const source = typeof input === 'number' ? NodeFileSource.fromFd(input) : await NodeFileSource.open(input);
  return Vmcore.open(source, nodePlatform, () => source.close());
}
