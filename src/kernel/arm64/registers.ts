import type { CpuRegisters } from '../../api-types.js';

/** struct user_pt_regs inside elf_prstatus.pr_reg on arm64: x0–x30, sp, pc, pstate. */
const PT_REGS = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc', 'pstate'] as const;
const PRSTATUS_PID_OFFSET = 32;
const PRSTATUS_REG_OFFSET = 112;

const hex64 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;

export function decodePrstatus(desc: Uint8Array, cpu: number): CpuRegisters | undefined {
  if (desc.length < PRSTATUS_REG_OFFSET + PT_REGS.length * 8) return undefined;
  const v = new DataView(desc.buffer, desc.byteOffset, desc.byteLength);
  const registers: Record<string, string> = {};
  PT_REGS.forEach((name, i) => {
    registers[name] = hex64(v.getBigUint64(PRSTATUS_REG_OFFSET + i * 8, true));
  });
  return { cpu, pid: v.getInt32(PRSTATUS_PID_OFFSET, true), registers };
}
