import type { Dump } from '../../model/dump.js';
import { KernelMemory } from '../kernel-memory.js';
import { readLocklessDmesg } from './lockless.js';
import { readLogBufDmesg } from './log-buf.js';
import type { DmesgOptions, DmesgResult, KernelReader } from './types.js';

export type { DmesgLayout, DmesgOptions, DmesgRecord, DmesgResult, DmesgWarning, KernelReader } from './types.js';
export { formatRecord, formatTimestamp, formatCaller } from './format.js';

/**
 * The kernel log held in a dump, read with VMCOREINFO alone (no vmlinux), as `makedumpfile --dump-dmesg` reads it:
 * the 5.10+ lockless ring when VMCOREINFO has SYMBOL(prb), otherwise the older log_buf.
 */
export function readDmesgFromKernel(km: KernelReader, opts: DmesgOptions = {}): Promise<DmesgResult> {
  return km.info.symbol('prb') !== undefined ? readLocklessDmesg(km, opts) : readLogBufDmesg(km, opts);
}

/**
 * `readDmesgFromKernel` on an opened dump, with the caller column by default where the architecture's reference
 * makedumpfile prints it. Fails with E_NO_VMCOREINFO when the dump has no VMCOREINFO.
 */
export function readDmesg(dump: Dump, opts: DmesgOptions = {}): Promise<DmesgResult> {
  return readDmesgFromKernel(KernelMemory.open(dump), { callerId: dump.arch.dmesgCallerColumn, ...opts });
}
