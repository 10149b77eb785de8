import { prstatusDecoder } from '../prstatus.js';

/** struct user_pt_regs inside elf_prstatus.pr_reg on arm64: x0–x30, sp, pc, pstate. */
const PT_REGS = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc', 'pstate'] as const;

export const decodePrstatus = prstatusDecoder(PT_REGS, 'little');
