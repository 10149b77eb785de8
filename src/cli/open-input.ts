import type { Dump } from '../formats/dump.js';
import { openDump } from '../formats/open-dump.js';
import { NodeFileSource } from '../io/node-source.js';
import { KernelMemory } from '../kernel/kernel-memory.js';
import { instantiateKernels, type KernelExports } from '../wasm/kernels.js';
import { nodeWasmModule } from '../wasm/node-module.js';

export interface OpenInput {
  dump: Dump;
  /** Undefined when the dump has no VMCOREINFO (only zero pages can then be found). */
  km: KernelMemory | undefined;
  kernels: KernelExports;
}

/** Opens VMCOREFILE, its kernel memory view and a wasm instance for the duration of `use`. */
export async function withInput<T>(path: string, use: (input: OpenInput) => Promise<T>): Promise<T> {
  const source = await NodeFileSource.open(path);
  try {
    const dump = await openDump(source);
    const km = dump.vmcoreinfo ? KernelMemory.open(dump) : undefined;
    const kernels = await instantiateKernels(await nodeWasmModule());
    return await use({ dump, km, kernels });
  } finally {
    await source.close();
  }
}
