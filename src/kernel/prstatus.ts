import type { CpuRegisters } from '../api-types.js';

/** Linux's 64-bit elf_prstatus keeps pr_pid and pr_reg at the same offsets on every architecture; only pr_reg differs. */
const PRSTATUS_PID_OFFSET = 32;
const PRSTATUS_REG_OFFSET = 112;

export const hex64 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;

/** An NT_PRSTATUS decoder for pr_reg's u64 slots named in order; it answers undefined for a descriptor too short. */
export function prstatusDecoder(regNames: readonly string[]): (desc: Uint8Array, cpu: number) => CpuRegisters | undefined {
  return (desc, cpu) => {
    if (desc.length < PRSTATUS_REG_OFFSET + regNames.length * 8) return undefined;
    const v = new DataView(desc.buffer, desc.byteOffset, desc.byteLength);
    const registers: Record<string, string> = {};
    regNames.forEach((name, i) => {
      registers[name] = hex64(v.getBigUint64(PRSTATUS_REG_OFFSET + i * 8, true));
    });
    return { cpu, pid: v.getInt32(PRSTATUS_PID_OFFSET, true), registers };
  };
}
