/** Display helpers for the crash context and the kernel log. */

/** makedumpfile's `[%5lld.%06ld]` from the record's "8.670188". */
export const bracketTime = (time: string): string => `[${time.padStart(12, ' ')}]`;

/** "8.7 s", "4 min 05 s", "3 h 02 min", "12 d 4 h" from nanoseconds. */
export function duration(nsec: bigint): string {
  const s = Number(nsec) / 1e9;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const total = Math.floor(s);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min ${String(sec).padStart(2, '0')} s`;
}

/** The kernel's taint letters (Documentation/admin-guide/tainted-kernels.rst); 'G' only says "no proprietary module". */
const TAINTS: Record<string, string> = {
  P: 'proprietary module',
  F: 'module force-loaded',
  S: 'unsupported hardware or SMP',
  R: 'module force-unloaded',
  M: 'machine check',
  B: 'bad page',
  U: 'tainted by user',
  D: 'died recently (Oops or BUG)',
  A: 'ACPI table overridden',
  W: 'warning issued',
  C: 'staging driver',
  I: 'firmware workaround',
  O: 'out-of-tree module',
  E: 'unsigned module',
  L: 'soft lockup',
  K: 'live-patched',
  X: 'auxiliary taint',
  T: 'randomized struct layout',
  N: 'test taint',
};

/** What the letters of "Tainted: G    B D W" mean, or undefined for "Not tainted". */
export function taintMeaning(tainted: string): string | undefined {
  const m = /^Tainted: (.*)$/.exec(tainted);
  if (!m) return undefined;
  const parts = [...m[1].replace(/\s+/g, '')].map((c) => TAINTS[c]).filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

/**
 * Registers in the order a person reads them (x86_64; arm64: pc, sp, frame pointer x29, link register x30, pstate,
 * then the notes' x0…x28; ppc64: nip, stack pointer gpr1, link, msr, then gpr0…gpr31; riscv64: pc, sp, frame
 * pointer s0, return address ra); anything else follows in the notes' order.
 */
const REGISTER_ORDER = [
  'rip', 'rsp', 'rbp', 'eflags', 'rflags',
  'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
  'orig_rax', 'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'fs_base', 'gs_base',
  'pc', 'sp', 'x29', 'x30', 'pstate', 's0', 'ra',
  'nip', 'gpr1', 'link', 'msr',
];

export function orderedRegisters(regs: Record<string, string>): Array<[string, string]> {
  const rank = (n: string) => {
    const i = REGISTER_ORDER.indexOf(n);
    return i < 0 ? REGISTER_ORDER.length : i;
  };
  return Object.entries(regs)
    .map((e, i) => [e, i] as const)
    .sort((a, b) => rank(a[0][0]) - rank(b[0][0]) || a[1] - b[1])
    .map(([e]) => e);
}

/** Syslog level names, 0 … 7. */
export const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** `<dump>.dmesg.txt`: the dump's name without its usual extension. */
export function logFileName(dumpName: string): string {
  const base = dumpName.replace(/\.(vmcore|core|dump|elf|img|bin)$/i, '') || 'vmcore';
  return `${base}.dmesg.txt`;
}
