import type { ClassifyResult } from '../filter/classify-dump.js';
import type { Dump } from '../formats/dump.js';
import type { KernelMemory } from '../kernel/kernel-memory.js';
import type { KernelExports } from '../wasm/kernels.js';

/** What analyse and export start from: the dump, its kernel memory view and a wasm instance to classify with. */
export interface PipelineInput {
  dump: Dump;
  /** Undefined when the dump has no VMCOREINFO (only zero pages can then be found). */
  km: KernelMemory | undefined;
  kernels: KernelExports;
  /**
   * The dump's classification without zero bits, when the caller has one (the page classifies once per dump); the
   * pipeline takes it over and may set zero bits in it. Classified afresh when absent.
   */
  classified?: ClassifyResult;
}
