/** What the page and `vmsieve --info --json` show about a dump. Numbers are exact (< 2^53). */
export interface DumpSegment {
  physStart: number;
  physEnd: number;
  fileOffset: number;
  fileSize: number;
}

export interface CpuRegisters {
  cpu: number;
  pid?: number;
  /** General registers by name (x86_64: rip, rsp, rbp, eflags, rax, …; arm64: x0–x30, sp, pc, pstate), as 0x-prefixed 16-digit hex. */
  registers: Record<string, string>;
}

export interface DumpWarning {
  code: string;
  message: string;
}

export interface DumpInfo {
  fileName: string;
  fileSize: number;
  /** 'elf' (kexec /proc/vmcore or QEMU dump-guest-memory) or 'kdump' (kdump-compressed). */
  format: string;
  producer: 'kdump' | 'qemu' | 'unknown';
  release: string | null;
  /** 'x86_64' or 'arm64'. */
  arch: string;
  /** The register holding the instruction pointer ('rip', 'pc'), and those a one-line CPU summary shows. */
  ipRegister: string;
  keyRegisters: string[];
  pageSize: number;
  cpus: number;
  /** ISO 8601 UTC, from VMCOREINFO's CRASHTIME; null when the dump has none (QEMU dumps). */
  crashTime: string | null;
  crashingCpu: number | null;
  crashingIp: string | null;
  physicalMemoryBytes: number;
  maxPfn: number;
  physBase: number | null;
  kaslrOffset: number | null;
  pagingLevels: number | null;
  loadSegments: number;
  holes: Array<{ physStart: number; physEnd: number }>;
  segments: DumpSegment[];
  cpuRegisters: CpuRegisters[];
  buildId: string | null;
  /** Parsed VMCOREINFO: key → value as the kernel wrote it (strings), so nothing is lost. */
  vmcoreinfo: Record<string, string>;
  vmcoreinfoText: string | null;
  warnings: DumpWarning[];
}
