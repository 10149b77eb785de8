/**
 * Why and where the kernel died, from its own log plus the CPU notes: the panic / Oops / BUG lines, the crashing CPU
 * and task, its registers, and the uptime at the crash. Heuristic by nature (it reads the kernel's message text);
 * every conclusion keeps the log line it came from.
 */
import type { CpuRegisters } from '../api-types.js';
import { NT_PRSTATUS } from '../model/elf-constants.js';
import type { Dump } from '../model/dump.js';
import type { DmesgRecord } from './dmesg/types.js';

export type CrashLineKind =
  /** "Kernel panic - not syncing: <reason>" */
  | 'panic'
  /** "---[ end Kernel panic - not syncing: … ]---" */
  | 'panic-end'
  /**
   * "Oops: 0002 [#1] PREEMPT SMP NOPTI", "Oops: general protection fault, …", arm64's "Internal error: Oops: 96000045
   * [#1] SMP", riscv's die() lines "Oops [#1]", "Oops - illegal instruction [#1]", "Kernel BUG [#1]"
   */
  | 'oops'
  /** "BUG: kernel NULL pointer dereference, …", "kernel BUG at mm/slub.c:123!", "watchdog: BUG: soft lockup …" */
  | 'bug'
  /** "general protection fault: 0000 [#1] SMP" (before 6.9 x86 prints it without "Oops: ") */
  | 'gpf'
  /** "Unable to handle kernel paging request at virtual address …" (arm64 and others) */
  | 'fault'
  /** "WARNING: CPU: 0 PID: 1 at kernel/foo.c:12 func+0x1/0x2" */
  | 'warning'
  /** "CPU: 0 PID: 1 Comm: init Kdump: loaded Not tainted 6.1.0-56-amd64 #1 …" (6.9+: "CPU: 0 UID: 0 PID: 1 …") */
  | 'cpu'
  /** "RIP: 0010:sysrq_handle_crash+0x16/0x20" (x86), "pc : …" (arm64), "NIP [c0000000008eca18] sysrq_handle_crash+0x28/0x30" (ppc64), "Krnl PSW : <mask> <addr> (…)" (s390x), "epc : …" (riscv) */
  | 'ip'
  /** "lr : __handle_sysrq+0x90/0x19c" (arm64), "LR [c0000000008ed3c0] __handle_sysrq+0xd0/0x230" (ppc64), " ra : …" (riscv): the link register, where the faulting function returns to */
  | 'lr'
  /** "sysrq: Trigger a crash" */
  | 'sysrq'
  /** "Hardware name: QEMU Standard PC …" */
  | 'hardware';

export interface CrashLine {
  kind: CrashLineKind;
  /** Index of the record in the log (DmesgResult.records), and its sequence number and time. */
  index: number;
  seq: number;
  tsNsec: bigint;
  time: string;
  text: string;
}

export interface CrashTask {
  pid: number;
  comm: string;
  uid?: number;
}

export interface CrashContext {
  /** 'panic' when the log has "Kernel panic - not syncing"; else 'oops' or 'bug' after the last such report; 'none'. */
  kind: 'panic' | 'oops' | 'bug' | 'none';
  /** The reason after "Kernel panic - not syncing: ", e.g. "sysrq triggered crash", "Fatal exception". */
  panicReason: string | null;
  /** The last panic line, and the Oops/BUG/fault line that started the fatal incident (null for a bare panic). */
  panic: CrashLine | null;
  event: CrashLine | null;
  /** The "CPU: N PID: …" line describing the crashing context, and what it says. */
  cpuLine: CrashLine | null;
  task: CrashTask | null;
  /** "Not tainted" or "Tainted: G   W  …" (trimmed), and the release that line names. */
  tainted: string | null;
  release: string | null;
  /** The instruction pointer line of the incident ("RIP: 0010:func+0x16/0x20"), without its "RIP: " prefix. */
  ip: string | null;
  /** The link register line of the incident (arm64 "lr : func+0x90/0x19c", ppc64 "LR [addr] func+0x90/0x19c", riscv " ra : …"), without its prefix. */
  lr: string | null;
  /**
   * The IP line is a user-mode address (x86 code selector with RPL 3, e.g. "0033:"; on ppc64 a lower-half NIP): a panic raised in a system
   * call logs where the task entered the kernel, not where the CPU stopped — the crashing CPU's registers say that.
   */
  ipUserMode: boolean;
  /** The frames after "Call Trace:" (trimmed, "<TASK>"/"</TASK>" dropped; "? " marks unreliable frames). */
  callTrace: string[];
  /** The crashing CPU: from the "CPU: N" line when there is one, else the only NT_PRSTATUS CPU of a kdump. */
  crashingCpu: number | null;
  crashingCpuSource: 'dmesg' | 'prstatus' | null;
  /** That CPU's registers from the dump's notes (NT_PRSTATUS, or QEMU's CPU state). */
  registers: CpuRegisters | null;
  /** Time since boot of the panic line (else of the event line): nanoseconds and "8.670188". */
  uptimeNsec: bigint | null;
  uptime: string | null;
  /** Every notable line of the log in order (capped at 500), for the UI to list and link to. */
  lines: CrashLine[];
}

const MAX_LINES = 500;
/** How many records after the panic line its own "CPU:" line (panic's dump_stack) may come. */
const PANIC_CPU_WINDOW = 4;

/**
 * An instruction pointer line's prefix: x86, arm64, ppc64, older arm, riscv64; s390x's PSW (its mask dropped).
 * ppc64 prints "NIP:  <hex> LR: <hex> CTR: …" in its register dump too; the "NIP [<address>] symbol+off/len" line names
 * the function, and its address says the mode (a lower-half one is a user address).
 */
const IP_PREFIX = /^(?:RIP: |pc : |NIP \[[0-9a-f]+\] |PC is at |epc : |Krnl PSW : [0-9a-f]{16} )/;
const LR_PREFIX = /^(?:lr : | ra : |LR \[[0-9a-f]+\] )/;
const PPC64_USER_NIP = /^NIP \[[0-7][0-9a-f]{15}\] /;
/** ppc64 stack frames: "[stack pointer] [return address] symbol+off/len", and "--- interrupt: 3000 at …" between them. */
const PPC64_FRAME_PREFIX = /^\[[0-9a-f]+\] \[[0-9a-f]+\] /;
const PPC64_INTERRUPT = /^--- interrupt: /;
/** riscv's frame: "[<ffffffff80007020>] dump_backtrace+0x28/0x30". */
const RISCV_FRAME = /^\[<[0-9a-f]+>\] /;

const PATTERNS: Array<[CrashLineKind, RegExp]> = [
  ['panic', /^Kernel panic - not syncing: ?/],
  ['panic-end', /^---\[ end Kernel panic/],
  ['oops', /^(?:(?:Internal error: )?Oops: |Oops(?: - .*)? \[#\d+\]|Kernel BUG \[#\d+\])/],
  ['bug', /^(?:kernel BUG at |BUG: |[\w-]+: BUG: )/],
  ['gpf', /^general protection fault/],
  ['fault', /^Unable to handle kernel /],
  ['warning', /^WARNING: CPU: \d+ PID: /],
  ['cpu', /^CPU: \d+ (?:UID: \d+ )?PID: -?\d+ Comm: /],
  ['ip', IP_PREFIX],
  ['lr', LR_PREFIX],
  ['sysrq', /^sysrq: Trigger a crash/],
  ['hardware', /^Hardware name: /],
];

const CPU_LINE = /^CPU: (\d+) (?:UID: (\d+) )?PID: (-?\d+) Comm: (.{1,16}?) (?:Kdump: loaded )?(Not tainted|Tainted: [A-Z ]*?) +(\d\S*)/;
const EVENT_KINDS = new Set<CrashLineKind>(['oops', 'bug', 'gpf', 'fault']);

function classify(text: string): CrashLineKind | undefined {
  for (const [kind, re] of PATTERNS) if (re.test(text)) return kind;
  return undefined;
}

/** Registers of every CPU in the notes, in note order: NT_PRSTATUS, else QEMU's CPU state notes. */
export function cpuRegistersFromNotes(dump: Pick<Dump, 'notes' | 'arch'>): CpuRegisters[] {
  const prstatus = dump.notes.filter((n) => n.name === 'CORE' && n.type === NT_PRSTATUS);
  const core = prstatus.map((n, i) => dump.arch.decodePrstatus(n.desc, i)).filter((r): r is CpuRegisters => !!r);
  if (core.length > 0) return core;
  return dump.notes
    .filter((n) => n.name === 'QEMU')
    .map((n, i) => dump.arch.decodeQemuCpuState(n.desc, i))
    .filter((r): r is CpuRegisters => !!r);
}

/**
 * The crash context from log records and the CPUs' registers.
 * `kdump` says the dump was taken by a crash kernel (so its single CPU note is the crashing CPU even without a log line).
 */
export function findCrashContext(records: readonly DmesgRecord[], cpus: readonly CpuRegisters[], kdump = false): CrashContext {
  const lines: CrashLine[] = [];
  const all: CrashLine[] = [];
  records.forEach((r, index) => {
    const firstLine = r.text.split('\n', 1)[0];
    const kind = classify(firstLine);
    if (!kind) return;
    const line: CrashLine = { kind, index, seq: r.seq, tsNsec: r.tsNsec, time: r.time, text: r.text };
    all.push(line);
    if (lines.length < MAX_LINES) lines.push(line);
  });

  const panic = findLast(all, (l) => l.kind === 'panic') ?? null;
  let event: CrashLine | null = null;
  let lastEvent: CrashLine | null = null;
  let cpuLine: CrashLine | null = null;
  if (panic) {
    const after = all.find((l) => l.index > panic.index && l.index <= panic.index + PANIC_CPU_WINDOW && l.kind === 'cpu');
    const before = findLast(all, (l) => l.index < panic.index && EVENT_KINDS.has(l.kind));
    if (after) {
      // A panic that printed its own stack (sysrq, hung task, …; after an Oops, panic() does not): earlier Oopses
      // were survived, not the cause.
      cpuLine = after;
    } else if (before) {
      lastEvent = before;
      event = eventStart(all, before);
      cpuLine = all.find((l) => l.index > before.index && l.index < panic.index && l.kind === 'cpu') ?? null;
    }
  } else {
    const last = findLast(all, (l) => EVENT_KINDS.has(l.kind));
    if (last) {
      lastEvent = last;
      event = eventStart(all, last);
      cpuLine = all.find((l) => l.index > last.index && l.kind === 'cpu' && l.index <= last.index + 8) ?? null;
    }
  }

  let task: CrashTask | null = null;
  let tainted: string | null = null;
  let release: string | null = null;
  let crashingCpu: number | null = null;
  let crashingCpuSource: CrashContext['crashingCpuSource'] = null;
  if (cpuLine) {
    const m = CPU_LINE.exec(cpuLine.text);
    if (m) {
      crashingCpu = Number(m[1]);
      crashingCpuSource = 'dmesg';
      task = { pid: Number(m[3]), comm: m[4], ...(m[2] !== undefined ? { uid: Number(m[2]) } : {}) };
      tainted = m[5].trim();
      release = m[6];
    } else {
      const n = /^CPU: (\d+) /.exec(cpuLine.text);
      if (n) {
        crashingCpu = Number(n[1]);
        crashingCpuSource = 'dmesg';
      }
    }
  }
  const prstatusCount = cpus.filter((c) => c.pid !== undefined).length;
  if (crashingCpu === null && prstatusCount === 1 && cpus.length === 1 && (kdump || panic || event)) {
    crashingCpu = cpus[0].cpu;
    crashingCpuSource = 'prstatus';
  }

  let registers: CpuRegisters | null = null;
  if (crashingCpu !== null) {
    // Notes are per present CPU, in CPU order, so note i is CPU i unless CPUs were offline: prefer the one note whose
    // pr_pid is the crashing task.
    const byPid = task ? cpus.filter((c) => c.pid === task!.pid) : [];
    registers = byPid.length === 1 ? byPid[0] : (cpus[crashingCpu] ?? null);
  }

  const from = cpuLine ?? event ?? panic;
  const stop = panic && from && from.index < panic.index ? panic.index : records.length;
  let ip: string | null = null;
  let lr: string | null = null;
  const callTrace: string[] = [];
  let ipUserMode = false;
  if (from) {
    const ipLine = all.find((l) => l.kind === 'ip' && l.index > from.index && l.index < stop);
    if (ipLine) ip = ipLine.text.replace(IP_PREFIX, '');
    const lrLine = all.find((l) => l.kind === 'lr' && l.index > from.index && l.index < stop);
    if (lrLine) lr = lrLine.text.replace(LR_PREFIX, '');
    const selector = ip && /^RIP: /.test(ipLine!.text) ? /^([0-9a-f]{4}):/i.exec(ip) : null;
    ipUserMode = (selector !== null && (Number.parseInt(selector[1], 16) & 3) === 3) || (ipLine !== undefined && PPC64_USER_NIP.test(ipLine.text));
    // x86, ppc64 and riscv print "Call Trace:", arm64 "Call trace:"; riscv's Oops prints its frames with no header.
    // x86 and arm64 frames are indented, s390x's unreliable ones in parentheses.
    const header = records.findIndex((r, i) => i > from.index && i < stop && /^Call [Tt]race:/.test(r.text));
    const traceAt = header >= 0 ? header : records.findIndex((r, i) => i > from.index && i < stop && RISCV_FRAME.test(r.text)) - 1;
    if (traceAt >= 0) {
      const isFrame = (t: string) => /^[ (]/.test(t) || RISCV_FRAME.test(t) || PPC64_FRAME_PREFIX.test(t) || PPC64_INTERRUPT.test(t);
      for (let i = traceAt + 1; i < stop && isFrame(records[i].text); i++) {
        const frame = records[i].text.replace(PPC64_FRAME_PREFIX, '').trim();
        if (frame !== '<TASK>' && frame !== '</TASK>' && frame !== '<IRQ>' && frame !== '</IRQ>') callTrace.push(frame);
      }
    }
  }

  const when = panic ?? event;
  const kind: CrashContext['kind'] = panic ? 'panic' : lastEvent ? (lastEvent.kind === 'bug' ? 'bug' : 'oops') : 'none';
  return {
    kind,
    panicReason: panic ? panic.text.replace(/^Kernel panic - not syncing: ?/, '').split('\n', 1)[0] : null,
    panic,
    event,
    cpuLine,
    task,
    tainted,
    release,
    ip,
    lr,
    ipUserMode,
    callTrace,
    crashingCpu,
    crashingCpuSource,
    registers,
    uptimeNsec: when ? when.tsNsec : null,
    uptime: when ? when.time : null,
    lines,
  };
}

/** The crash context of an opened dump, from its kernel log (see readDmesg) and its notes. */
export function crashContext(records: readonly DmesgRecord[], dump: Pick<Dump, 'notes' | 'producer' | 'arch'>): CrashContext {
  return findCrashContext(records, cpuRegistersFromNotes(dump), dump.producer === 'kdump');
}

/** Back from an Oops line to the BUG / fault line that introduced the same report ("BUG: …" then "Oops: …"). */
function eventStart(all: CrashLine[], last: CrashLine): CrashLine {
  let start = last;
  for (let i = all.indexOf(last) - 1; i >= 0; i--) {
    const l = all[i];
    if (!EVENT_KINDS.has(l.kind) || start.index - l.index > 6) break;
    start = l;
  }
  return start;
}

function findLast<T>(xs: readonly T[], p: (x: T) => boolean): T | undefined {
  for (let i = xs.length - 1; i >= 0; i--) if (p(xs[i])) return xs[i];
  return undefined;
}
