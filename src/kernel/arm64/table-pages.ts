import type { Dump } from '../../formats/dump.js';
import type { VmcoreInfo } from '../vmcoreinfo.js';

const VALID = 1n;
const TABLE = 2n;
/** Descriptors' output address with 48-bit physical addresses (no LPA/LPA2). */
const PA_BITS = 48n;

/**
 * Physical addresses of every page-table page reachable from swapper_pg_dir (the kernel's TTBR1 root), for 4, 16 or
 * 64 KiB pages: levels follow from VA_BITS and the page size, a block descriptor ends a branch. Undefined when
 * VMCOREINFO lacks what locates the root, or the dump uses physical addresses wider than 48 bits.
 */
export async function arm64TablePages(dump: Pick<Dump, 'pageSize' | 'readPhys'>, info: VmcoreInfo): Promise<bigint[] | undefined> {
  const root = info.symbol('swapper_pg_dir');
  const kimageVoffset = info.number('kimage_voffset');
  const vaBits = info.number('VA_BITS');
  if (root === undefined || kimageVoffset === undefined || vaBits === undefined || (info.number('MAX_PHYSMEM_BITS') ?? PA_BITS) > PA_BITS) return undefined;
  const pageSize = dump.pageSize;
  const pageShift = Math.log2(pageSize);
  const levels = Math.ceil((Number(vaBits) - pageShift) / (pageShift - 3));
  const mask = ((1n << PA_BITS) - 1n) & ~BigInt(pageSize - 1);
  const seen = new Set<bigint>();
  const out: bigint[] = [];
  let level: bigint[] = [BigInt.asUintN(64, root - kimageVoffset)];
  for (let depth = levels; depth >= 1; depth--) {
    const next: bigint[] = [];
    for (const table of level) {
      if (seen.has(table)) continue;
      seen.add(table);
      out.push(table);
      if (depth === 1) continue;
      const b = await dump.readPhys(Number(table), pageSize);
      const entries = new BigUint64Array(b.buffer.slice(b.byteOffset, b.byteOffset + pageSize));
      for (const e of entries) if ((e & (VALID | TABLE)) === (VALID | TABLE)) next.push(e & mask);
    }
    level = next;
  }
  return out;
}
