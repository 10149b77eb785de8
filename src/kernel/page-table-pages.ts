import type { KernelMemory } from './kernel-memory.js';
import { x86_64TablePages } from './x86_64/table-pages.js';

/** Physical addresses of the kernel page tables reachable from the root the translator walks, for the dump's architecture. */
export function kernelPageTablePages(km: KernelMemory): Promise<bigint[]> {
  return x86_64TablePages(km.dump, km.translator.paging);
}
