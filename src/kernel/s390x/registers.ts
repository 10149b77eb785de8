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
