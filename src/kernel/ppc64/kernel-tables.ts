import { VmsieveError } from '../../errors.js';
import type { VmcoreInfo } from '../../model/vmcoreinfo.js';
import type { Ppc64Layout } from './layout.js';

/** Where each vmemmap block of struct pages lies, as the kernel recorded it in vmemmap_list (hash MMU, radix before 6.6). */
export interface VmemmapBlocks {
  /** makedumpfile's vmemmap_start: the lowest block's address (0xf000000000000000 when the list is empty). */
  start: bigint;
  /** 1 << mmu_psize_defs[mmu_vmemmap_psize].shift */
  blockSize: bigint;
  /** Block address → physical address; empty: the vmemmap is in the page tables. */
  blocks: Map<bigint, bigint>;
}

/** What translation needs from kernel memory, read once. */
export interface KernelTables {
  /** NUMBER(VMALLOC_START) (6.9+), else the first vmalloc area's start (makedumpfile's vmalloc_start); 0 when the kernel says neither. */
  vmallocStart: bigint;
  /** undefined when VMCOREINFO lacks what vmemmap_list needs: the vmemmap is then found like any other address. */
  vmemmap: VmemmapBlocks | undefined;
  radix: boolean;
}

export interface KernelReads {
  /** Reads kernel memory the linear map holds (symbols, and what they point to). */
  read(va: bigint, length: number): Promise<Uint8Array>;
  /** Whether walking swapper_pg_dir with the radix layout finds the linear map there (only a radix kernel maps it). */
  mapsLinearMap(radix: boolean): Promise<boolean>;
}

/** makedumpfile's VMEMMAP_REGION_ID << REGION_SHIFT: where the vmemmap starts when vmemmap_list gives no lower block. */
const VMEMMAP_REGION = 0xfn << 60n;
/** MMU_FTR_TYPE_RADIX in cpu_spec.mmu_features. */
const MMU_FTR_TYPE_RADIX = 0x40;
/** More vmemmap_list entries than a 2^51-byte machine needs even with 64 KiB blocks: a longer list is corrupt. */
const MAX_VMEMMAP_BLOCKS = 1 << 22;

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

export async function readKernelTables(info: VmcoreInfo, layout: Ppc64Layout, io: KernelReads): Promise<KernelTables> {
  const u64 = async (va: bigint) => view(await io.read(va, 8)).getBigUint64(0, true);
  const u32 = async (va: bigint) => view(await io.read(va, 4)).getUint32(0, true);

  let vmallocStart = 0n;
  const vmallocKey = info.number('VMALLOC_START');
  const vmapAreaList = info.symbol('vmap_area_list');
  const vaStart = info.offset('vmap_area.va_start');
  const vaList = info.offset('vmap_area.list');
  if (vmallocKey !== undefined) vmallocStart = BigInt.asUintN(64, vmallocKey);
  else if (vmapAreaList !== undefined && vaStart !== undefined && vaList !== undefined) {
    const first = await u64(vmapAreaList + BigInt(info.offset('list_head.next') ?? 0));
    // An empty list points back at itself: no vmalloc area to start from.
    if (first !== vmapAreaList) vmallocStart = await u64(first - BigInt(vaList) + BigInt(vaStart));
  }

  return { vmallocStart, vmemmap: await readVmemmapList(info, u64, u32), radix: await mmuIsRadix(info, layout, u64, u32, io) };
}

async function readVmemmapList(info: VmcoreInfo, u64: (va: bigint) => Promise<bigint>, u32: (va: bigint) => Promise<number>): Promise<VmemmapBlocks | undefined> {
  const head = info.symbol('vmemmap_list');
  const psizeDefs = info.symbol('mmu_psize_defs');
  const vmemmapPsize = info.symbol('mmu_vmemmap_psize');
  const defSize = info.size('mmu_psize_def');
  const shiftAt = info.offset('mmu_psize_def.shift');
  const physAt = info.offset('vmemmap_backing.phys');
  const virtAt = info.offset('vmemmap_backing.virt_addr');
  const listAt = info.offset('vmemmap_backing.list');
  if (head === undefined || psizeDefs === undefined || vmemmapPsize === undefined || defSize === undefined || shiftAt === undefined || physAt === undefined || virtAt === undefined || listAt === undefined)
    return undefined;

  const psize = await u32(vmemmapPsize);
  const shift = await u32(psizeDefs + BigInt(defSize * psize + shiftAt));
  const blockSize = 1n << BigInt(shift);
  const blocks = new Map<bigint, bigint>();
  let start = VMEMMAP_REGION;
  const first = await u64(head);
  for (let at = first; at !== 0n; ) {
    const virt = await u64(at + BigInt(virtAt));
    blocks.set(virt, await u64(at + BigInt(physAt)));
    if (virt < start) start = virt;
    if (blocks.size > MAX_VMEMMAP_BLOCKS)
      throw new VmsieveError('E_CORRUPT', `the kernel's vmemmap_list has more than ${MAX_VMEMMAP_BLOCKS} entries: it is corrupt, so struct pages cannot be located`);
    at = await u64(at + BigInt(listAt));
    if (at === first) break;
  }
  return { start, blockSize, blocks };
}

/**
 * Radix or hash: NUMBER(RADIX_MMU) (6.7+), else cur_cpu_spec->mmu_features, as makedumpfile reads them. Where the
 * kernel says neither, makedumpfile assumes hash; vmsieve looks whether swapper_pg_dir maps the linear map, which
 * only the radix MMU's tables do (the hash MMU keeps it in the hashed page table).
 */
async function mmuIsRadix(info: VmcoreInfo, layout: Ppc64Layout, u64: (va: bigint) => Promise<bigint>, u32: (va: bigint) => Promise<number>, io: KernelReads): Promise<boolean> {
  if (layout.radixFromInfo !== undefined) return layout.radixFromInfo;
  const curCpuSpec = info.symbol('cur_cpu_spec');
  const featuresAt = info.offset('cpu_spec.mmu_features');
  if (curCpuSpec !== undefined && featuresAt !== undefined) return ((await u32((await u64(curCpuSpec)) + BigInt(featuresAt))) & MMU_FTR_TYPE_RADIX) !== 0;
  return io.mapsLinearMap(true);
}
