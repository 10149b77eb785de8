import type { Dump, ElfNote } from '../../src/model/dump.js';
import { MemorySource } from '../../src/io/source.js';
import { VmcoreInfo } from '../../src/model/vmcoreinfo.js';
import { X86_64 } from '../../src/kernel/x86_64/arch.js';

/** Direct-map base of a 4-level x86_64 kernel without KASLR. */
export const PAGE_OFFSET = 0xffff888000000000n;

/**
 * A small physical memory image to lay kernel structures out in, addressed through the direct map: every structure
 * built here has kernel virtual address PAGE_OFFSET + phys, which KernelMemory translates linearly (no page tables).
 */
export class PhysImage {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  private top = 0x1000;

  constructor(size = 1 << 20) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }

  /** Reserves `size` zeroed bytes and returns their kernel virtual address. */
  alloc(size: number, align = 64): bigint {
    this.top = Math.ceil(this.top / align) * align;
    const at = this.top;
    this.top += size;
    if (this.top > this.bytes.length) throw new Error('PhysImage full');
    return PAGE_OFFSET + BigInt(at);
  }

  private at(va: bigint): number {
    return Number(va - PAGE_OFFSET);
  }
  u8(va: bigint, v: number): void {
    this.dv.setUint8(this.at(va), v);
  }
  u16(va: bigint, v: number): void {
    this.dv.setUint16(this.at(va), v, true);
  }
  u32(va: bigint, v: number): void {
    this.dv.setUint32(this.at(va), v >>> 0, true);
  }
  i32(va: bigint, v: number): void {
    this.dv.setInt32(this.at(va), v, true);
  }
  u64(va: bigint, v: bigint): void {
    this.dv.setBigUint64(this.at(va), BigInt.asUintN(64, v), true);
  }
  set(va: bigint, data: Uint8Array | string): void {
    this.bytes.set(typeof data === 'string' ? new TextEncoder().encode(data) : data, this.at(va));
  }
}

const hex = (v: bigint) => v.toString(16);

/** `SYMBOL(name)=hex` lines for VMCOREINFO text. */
export function symbolLines(symbols: Record<string, bigint>): string {
  return Object.entries(symbols)
    .map(([k, v]) => `SYMBOL(${k})=${hex(v)}\n`)
    .join('');
}

/**
 * A kdump-like ELF `Dump` over an in-memory physical image: one PT_LOAD mapping it all at PAGE_OFFSET, the given
 * VMCOREINFO (plus the keys KernelMemory needs to start: init_top_pgt, phys_base), and optional extra notes.
 */
export function memoryDump(image: PhysImage, vmcoreinfo: string, notes: ElfNote[] = []): Dump {
  let text = vmcoreinfo;
  if (!/^SYMBOL\(init_top_pgt\)=/m.test(text)) text += 'SYMBOL(init_top_pgt)=ffffffff82a0a000\n';
  if (!/^NUMBER\(phys_base\)=/m.test(text)) text += 'NUMBER(phys_base)=0\n';
  const info = new VmcoreInfo(text);
  const size = image.bytes.length;
  const source = new MemorySource(image.bytes, 'memory.vmcore');
  return {
    source,
    format: 'elf',
    producer: 'kdump',
    arch: X86_64,
    pageSize: 4096,
    notes: [...notes, { name: 'VMCOREINFO', type: 0, desc: new TextEncoder().encode(text), fileOffset: 0, fileLength: 0 }],
    loads: [{ physStart: 0, physEnd: size, fileOffset: 0, fileSize: size, virtStart: PAGE_OFFSET, flags: 7 }],
    vmcoreinfo: info,
    noteSegment: undefined,
    maxPfnFromLoads: Math.ceil(size / 4096),
    async readPhys(paddr: number, length: number): Promise<Uint8Array> {
      if (paddr < 0 || paddr + length > size) throw new Error(`readPhys outside the image: ${paddr}+${length}`);
      return image.bytes.slice(paddr, paddr + length);
    },
  };
}
