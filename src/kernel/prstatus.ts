import type { CpuRegisters } from '../api-types.js';
import { Fields, type ByteOrder } from '../model/byte-order.js';

/** Linux's 64-bit elf_prstatus keeps pr_pid and pr_reg at the same offsets on every architecture; only pr_reg differs. */
const PRSTATUS_PID_OFFSET = 32;
const PRSTATUS_REG_OFFSET = 112;

export const hex64 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;

/** Kernel virtual addresses are the upper half on x86_64, arm64 and ppc64: a stack pointer below it is a user one. */
const KERNEL_HALF = 1n << 63n;

/** kernelStackPointer for an architecture whose kernel owns the upper half of the address space. */
export function upperHalfStackPointer(register: string): (c: CpuRegisters) => bigint | undefined {
  return (c) => {
    const v = c.registers[register];
    return v !== undefined && BigInt(v) >= KERNEL_HALF ? BigInt(v) : undefined;
  };
}

/** One register of pr_reg: its name and width in bytes (u64 unless said). */
export type RegisterSlot = string | { name: string; bytes: 4 | 8 };

/**
 * An NT_PRSTATUS decoder for pr_reg's slots named in order, in the architecture's byte order; it answers undefined for a
 * descriptor too short.
 */
export function prstatusDecoder(slots: readonly RegisterSlot[], order: ByteOrder): (desc: Uint8Array, cpu: number) => CpuRegisters | undefined {
  const regs = slots.map((s) => (typeof s === 'string' ? { name: s, bytes: 8 } : s));
  const regBytes = regs.reduce((n, r) => n + r.bytes, 0);
  return (desc, cpu) => {
    if (desc.length < PRSTATUS_REG_OFFSET + regBytes) return undefined;
    const v = new Fields(desc, order);
    const registers: Record<string, string> = {};
    let at = PRSTATUS_REG_OFFSET;
    for (const r of regs) {
      registers[r.name] = hex64(r.bytes === 8 ? v.u64(at) : BigInt(v.u32(at)));
      at += r.bytes;
    }
    return { cpu, pid: v.i32(PRSTATUS_PID_OFFSET), registers };
  };
}
