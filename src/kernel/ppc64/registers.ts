import { prstatusDecoder } from '../prstatus.js';

/** struct pt_regs inside elf_prstatus.pr_reg on ppc64 (ELF_NGREG 48; the last four slots are unused). */
const PT_REGS = [
  ...Array.from({ length: 32 }, (_, i) => `gpr${i}`),
  'nip', 'msr', 'orig_gpr3', 'ctr', 'link', 'xer', 'ccr', 'softe', 'trap', 'dar', 'dsisr', 'result',
] as const;

export const decodePrstatus = prstatusDecoder(PT_REGS);
