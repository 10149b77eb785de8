import type { CpuRegisters } from '../../api-types.js';
import { hex64, prstatusDecoder } from '../prstatus.js';

/** user_regs_struct order inside elf_prstatus.pr_reg on x86_64. */
const PT_REGS = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi',
  'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs',
] as const;
export const PRSTATUS_SIZE = 336;

/** QEMUCPUState (QEMU's "QEMU" note): version, size, then these u64s. */
const QEMU_GPRS = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags'] as const;
const QEMU_SEGMENTS = ['cs', 'ds', 'es', 'fs', 'gs', 'ss', 'ldt', 'tr', 'gdt', 'idt'] as const;
const QEMU_SEGMENT_SIZE = 24;

export const decodePrstatus = prstatusDecoder(PT_REGS, 'little');

export function decodeQemuCpuState(desc: Uint8Array, cpu: number): CpuRegisters | undefined {
  const end = 8 + QEMU_GPRS.length * 8 + QEMU_SEGMENTS.length * QEMU_SEGMENT_SIZE + 5 * 8;
  if (desc.length < end) return undefined;
  const v = new DataView(desc.buffer, desc.byteOffset, desc.byteLength);
  const registers: Record<string, string> = {};
  let p = 8;
  for (const name of QEMU_GPRS) {
    registers[name] = hex64(v.getBigUint64(p, true));
    p += 8;
  }
  for (const name of QEMU_SEGMENTS) {
    registers[`${name}_selector`] = hex64(BigInt(v.getUint32(p, true)));
    registers[`${name}_base`] = hex64(v.getBigUint64(p + 16, true));
    p += QEMU_SEGMENT_SIZE;
  }
  for (let i = 0; i < 5; i++, p += 8) registers[`cr${i}`] = hex64(v.getBigUint64(p, true));
  return { cpu, registers };
}
