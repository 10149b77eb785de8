import type { ClassifyResult } from '../filter/classify-dump.js';
import type { Dump } from '../model/dump.js';
import type { KernelMemory } from '../kernel/kernel-memory.js';
import type { KernelExports } from '../wasm/kernels.js';

/** An opened dump: its kernel memory view and a wasm instance to classify with (the CLI's and the page's alike). */
export interface OpenedDump {
  dump: Dump;
  /** Undefined when the dump has no VMCOREINFO (only zero pages can then be found). */
  km: KernelMemory | undefined;
  kernels: KernelExports;
}

/** What analyse and export start from. */
export interface PipelineInput extends OpenedDump {
  /**
   * The dump's classification without zero bits, when the caller has one (the page classifies once per dump); the
   * pipeline takes it over and may set zero bits in it. Classified afresh when absent.
   */
  classified?: ClassifyResult;
}
