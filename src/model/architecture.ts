import type { CpuRegisters, DumpWarning } from '../api-types.js';
import type { ByteOrder } from './byte-order.js';
import type { Dump, LoadSegment } from './dump.js';
import type { VmcoreInfo } from './vmcoreinfo.js';

/** Reads physical memory of the dump: what a page-table walk needs. */
export type PhysReader = (paddr: number, length: number) => Promise<Uint8Array>;

/** What a translator is built from: VMCOREINFO, the PT_LOADs (empty of virtual addresses for kdump input) and page size. */
export interface TranslatorInput {
  info: VmcoreInfo;
  loads: readonly LoadSegment[];
  pageSize: number;
  readPhys: PhysReader;
}

/** Kernel virtual → physical, plus the facts `--info` shows about the address space. */
/** Where a kernel virtual address lands, and how many bytes from it on stay physically contiguous (to the end of its mapping). */
export interface PhysRun {
  phys: number;
  bytes: number;
}

export interface KernelTranslator {
  toPhys(vaddr: bigint): Promise<number>;
  /** toPhys plus the length of the leaf mapping left from there: one walk per huge page, not per base page. */
  toPhysRun(vaddr: bigint): Promise<PhysRun>;
  /** makedumpfile's phys_base (x86_64: NUMBER(phys_base); arm64: PHYS_OFFSET; ppc64: 0), signed. */
  readonly physBase: bigint;
  /** Paging levels of the kernel's tables (s390x: known once a translation has been made, from the root's first entry). */
  readonly levels: number;
  /** Missing VMCOREINFO keys replaced by makedumpfile's fallbacks. */
  readonly warnings: readonly DumpWarning[];
  /** MAX_PHYSMEM_BITS and SECTION_SIZE_BITS with the architecture's fallbacks (undefined: no fallback exists). */
  readonly maxPhysmemBits: number | undefined;
  readonly sectionSizeBits: number | undefined;
  /** Physical addresses of every page-table page reachable from the root this translator walks, the root included. */
  kernelTablePages(): Promise<bigint[]>;
}

/** Everything that differs between the CPU architectures vmsieve reads; chosen once per dump. */
export interface Architecture {
  /** The name `--info` prints: "x86_64", "arm64", "ppc64le", "riscv64". */
  readonly name: string;
  /** ELF e_machine of its vmcores, written again into ELF output. */
  readonly elfMachine: number;
  /** utsname.machine as the kernel reports it, and makedumpfile's kdump header carries. */
  readonly utsMachine: string;
  /** The byte order of its dumps' headers, notes and kernel memory, and of the files written from them. */
  readonly byteOrder: ByteOrder;
  /** Its kernels can mark pages hardware-poisoned (ARCH_SUPPORTS_MEMORY_FAILURE), so NUMBER(PG_hwpoison) is worth having. */
  readonly memoryFailure: boolean;
  /** The register that holds the instruction pointer in decoded register sets. */
  readonly ipRegister: string;
  /** The registers a one-line CPU summary shows, in reading order (ip, stack, frame, flags). */
  readonly keyRegisters: readonly string[];
  /** The stack pointer of a CPU that was running in the kernel; undefined when it was in user mode (or has none). */
  kernelStackPointer(c: CpuRegisters): bigint | undefined;
  /** NT_PRSTATUS descriptor → registers; undefined when it is too short. */
  decodePrstatus(desc: Uint8Array, cpu: number): CpuRegisters | undefined;
  /** QEMU's own CPU-state note ("QEMU"), where QEMU writes one for this architecture. */
  decodeQemuCpuState(desc: Uint8Array, cpu: number): CpuRegisters | undefined;
  openTranslator(input: TranslatorInput): KernelTranslator;
  /**
   * Whether `--dump-dmesg` prints the printk caller column ("[      T1] "): the makedumpfile vmsieve matches on this
   * architecture does not (Debian 12's 1.7.2) or does (upstream 1.7.5+ where Debian 12 has no build: riscv64).
   */
  readonly dmesgCallerColumn: boolean;
  /** phys_base as makedumpfile writes it into the kdump sub-header; 0 when nothing tells it. */
  headerPhysBase(dump: Pick<Dump, 'vmcoreinfo' | 'loads' | 'pageSize'>): bigint;
}
