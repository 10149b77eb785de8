import { arm64TablePages } from './arm64/table-pages.js';
import type { KernelMemory } from './kernel-memory.js';
import { X86_64Translator } from './x86_64/translate.js';
import { x86_64TablePages } from './x86_64/table-pages.js';

/**
 * Physical addresses of the kernel page tables reachable from the root the MMU walks for kernel addresses (x86_64:
 * the translator's root; arm64: swapper_pg_dir), or undefined when they cannot be listed (the caller says so).
 */
export async function kernelPageTablePages(km: KernelMemory): Promise<bigint[] | undefined> {
  const t = km.translator;
  if (t instanceof X86_64Translator) return x86_64TablePages(km.dump, t.paging);
  return km.info.number('kimage_voffset') !== undefined ? arm64TablePages(km.dump, km.info) : undefined;
}
