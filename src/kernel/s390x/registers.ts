import type { CpuRegisters } from '../../api-types.js';
import { prstatusDecoder, type RegisterSlot } from '../prstatus.js';
import { S390X_BYTE_ORDER } from './table-entry.js';

/** s390_regs inside elf_prstatus.pr_reg: the PSW (mask, address), general registers 0–15, access registers 0–15 (u32), orig_gpr2. */
const PT_REGS: readonly RegisterSlot[] = [
  'psw_mask',
  'psw_addr',
  ...Array.from({ length: 16 }, (_, i) => `r${i}`),
  ...Array.from({ length: 16 }, (_, i) => ({ name: `a${i}`, bytes: 4 as const })),
  'orig_gpr2',
];

export const decodePrstatus = prstatusDecoder(PT_REGS, S390X_BYTE_ORDER);

/** The PSW's problem-state bit (bit 15): set, the CPU ran user code. */
const PSW_PROBLEM_STATE = 1n << 48n;

/** r15 is the stack pointer; the kernel's own address space is told apart by the PSW, not by the address. */
export function kernelStackPointer(c: CpuRegisters): bigint | undefined {
  const { psw_mask: mask, r15 } = c.registers;
  if (mask === undefined || r15 === undefined || (BigInt(mask) & PSW_PROBLEM_STATE) !== 0n) return undefined;
  return BigInt(r15);
}
