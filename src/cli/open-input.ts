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
export async function withInput<T>(path: string, use: (input: OpenInput) => Promise<T>): Promise<T> {
  return withDump(path, async (dump) => {
    const km = dump.vmcoreinfo ? KernelMemory.open(dump) : undefined;
    const kernels = await instantiateKernels(await nodeWasmModule());
    return use({ dump, km, kernels });
  });
}
