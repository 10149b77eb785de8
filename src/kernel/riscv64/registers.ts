import { prstatusDecoder } from '../prstatus.js';

/**
 * struct user_regs_struct inside elf_prstatus.pr_reg on riscv64: pc, then x1–x31 under their ABI names
 * (ra, sp, gp, tp, t0–t2, s0–s1, a0–a7, s2–s11, t3–t6).
 */
const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);
const PT_REGS = ['pc', 'ra', 'sp', 'gp', 'tp', ...range('t', 0, 2), ...range('s', 0, 1), ...range('a', 0, 7), ...range('s', 2, 11), ...range('t', 3, 6)];

export const decodePrstatus = prstatusDecoder(PT_REGS, 'little');
