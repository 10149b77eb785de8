/**
 * vmsieve for Node: open a vmcore by path or file descriptor, then describe, classify, analyse, export it, or read its
 * kernel log. Compute runs in worker_threads; the wasm kernels ship with the package.
 */
import { NodeFileSource } from './io/node-source.js';
import { nodeWasmModule } from './wasm/node-module.js';
import { Vmcore, type Platform } from './session/vmcore.js';
import { nodeComputePool } from './workers/node-compute.js';

export * from './shared-exports.js';
/** Node's files and streams as sources and sinks. */
export { NodeFileSource } from './io/node-source.js';
export { NodeFileSink, NodeStreamSink, type NodeFileSinkOptions } from './io/node-sink.js';

/** Compute in worker_threads, the wasm kernels read from the package. */
export const nodePlatform: Platform = {
  wasmModule: nodeWasmModule,
  computePool: (pageSize, threads) => nodeComputePool(pageSize, threads),
};

/**
 * Opens a vmcore (ELF, kdump-compressed or flattened) by path, by a file descriptor the caller keeps open, or the
 * paths of one makedumpfile --split set. Throws a VmsieveError (E_IO, E_TRUNCATED, E_NOT_ELF, E_SPLIT_SET, …) when
 * it cannot be read as a dump; what the reader warns about (an incomplete file) is in `vmcore.dump.warnings`.
 */
export async function openVmcore(input: string | number | readonly string[]): Promise<Vmcore> {
  if (typeof input === 'number') {
    const source = NodeFileSource.fromFd(input);
    return Vmcore.open(source, nodePlatform, () => source.close());
  }
  const sources: NodeFileSource[] = [];
  const release = async () => {
    for (const s of sources) await s.close();
  };
  try {
    for (const p of typeof input === 'string' ? [input] : input) sources.push(await NodeFileSource.open(p));
  } catch (e) {
    await release();
    throw e;
  }
  return Vmcore.open(sources, nodePlatform, release);
}
