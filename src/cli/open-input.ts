import type { Dump } from '../formats/dump.js';
import type { CliIo } from './cli-io.js';
import { openDumps } from '../formats/open-dump.js';
import { NodeFileSource } from '../io/node-source.js';
import { KernelMemory } from '../kernel/kernel-memory.js';
import type { OpenedDump } from '../pipeline/pipeline-input.js';
import { instantiateKernels } from '../wasm/kernels.js';
import { nodeWasmModule } from '../wasm/node-module.js';

/**
 * Opens VMCOREFILE (or the files of one makedumpfile --split set) as a Dump for the duration of `use`, and closes
 * it whatever happens. With `io`, what the reader warns about (an incomplete file and its missing pfn ranges, a
 * wrong header field) goes to stderr first.
 */
export async function withDump<T>(paths: string | readonly string[], use: (dump: Dump) => Promise<T>, io?: CliIo): Promise<T> {
  const sources: NodeFileSource[] = [];
  try {
    for (const p of typeof paths === 'string' ? [paths] : paths) sources.push(await NodeFileSource.open(p));
    const dump = await openDumps(sources);
    if (io) for (const w of dump.warnings ?? []) io.stderr(`vmsieve: warning: ${w.message}\n`);
    return await use(dump);
  } finally {
    for (const s of sources) await s.close();
  }
}

/** Opens VMCOREFILE, its kernel memory view and a wasm instance for the duration of `use`. */
export async function withInput<T>(path: string | readonly string[], use: (input: OpenedDump) => Promise<T>, io?: CliIo): Promise<T> {
  return withDump(path, async (dump) => {
    const km = dump.vmcoreinfo ? KernelMemory.open(dump) : undefined;
    const kernels = await instantiateKernels(await nodeWasmModule());
    return use({ dump, km, kernels });
  }, io);
}
