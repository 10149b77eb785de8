import type { Dump } from '../formats/dump.js';
import { openDump } from '../formats/open-dump.js';
import { NodeFileSource } from '../io/node-source.js';
import { KernelMemory } from '../kernel/kernel-memory.js';
import type { OpenedDump } from '../pipeline/pipeline-input.js';
import { instantiateKernels } from '../wasm/kernels.js';
import { nodeWasmModule } from '../wasm/node-module.js';

/** Opens VMCOREFILE as a Dump for the duration of `use`, and closes it whatever happens. */
export async function withDump<T>(path: string, use: (dump: Dump) => Promise<T>): Promise<T> {
  const source = await NodeFileSource.open(path);
  try {
    return await use(await openDump(source));
  } finally {
    await source.close();
  }
}

/** Opens VMCOREFILE, its kernel memory view and a wasm instance for the duration of `use`. */
export async function withInput<T>(path: string, use: (input: OpenedDump) => Promise<T>): Promise<T> {
  return withDump(path, async (dump) => {
    const km = dump.vmcoreinfo ? KernelMemory.open(dump) : undefined;
    const kernels = await instantiateKernels(await nodeWasmModule());
    return use({ dump, km, kernels });
  });
}
