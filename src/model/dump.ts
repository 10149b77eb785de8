import type { DumpWarning } from '../api-types.js';
import type { ByteSource } from '../io/source.js';
import type { StoredPages } from '../io/source-ref.js';
import type { Architecture } from './architecture.js';
import type { VmcoreInfo } from './vmcoreinfo.js';

export interface ElfNote {
  name: string;
  type: number;
  desc: Uint8Array;
  /** Where the whole note (header included) sits in the file, and its padded length. */
  fileOffset: number;
  fileLength: number;
}

/** One PT_LOAD: physical range [physStart, physEnd) whose first fileSize bytes are at fileOffset; the rest reads as zero. */
export interface LoadSegment {
  physStart: number;
  physEnd: number;
  fileOffset: number;
  fileSize: number;
  virtStart: bigint;
  flags: number;
}

/** Page frames [start, end). */
export interface PfnRange {
  start: number;
  end: number;
}

export type DumpProducer = 'kdump' | 'qemu' | 'unknown';

/** The same view of any input format: notes, physical memory layout, and reads of physical memory. */
export interface Dump {
  readonly source: ByteSource;
  /** 'elf': a vmcore (kexec or QEMU); 'kdump': a kdump-compressed file (makedumpfile's output). */
  readonly format: 'elf' | 'kdump';
  readonly producer: DumpProducer;
  /** From ELF e_machine, or the kdump header's utsname.machine. */
  readonly arch: Architecture;
  readonly pageSize: number;
  readonly notes: ElfNote[];
  readonly loads: LoadSegment[];
  readonly vmcoreinfo: VmcoreInfo | undefined;
  /** The PT_NOTE segment as in the file (offset, size), copied verbatim by writers. */
  readonly noteSegment: { fileOffset: number; fileSize: number } | undefined;
  /** makedumpfile's initial max_mapnr: the highest PT_LOAD end, in pages. */
  readonly maxPfnFromLoads: number;
  /** What the reader found odd but could read past (every command shows these). */
  readonly warnings?: readonly DumpWarning[];
  /**
   * Pages the headers describe but the file does not hold (an ELF vmcore cut mid-segment, a kdump file flagged
   * incomplete): reading them fails with E_NOT_IN_DUMP, and they count as pages without data everywhere.
   */
  readonly missing?: readonly PfnRange[];
  readPhys(paddr: number, length: number): Promise<Uint8Array>;
  /**
   * The pages of `runs` (pfn ranges) as a compute worker can read and decode them itself, for a dump that stores
   * pages encoded; undefined where it cannot (a page not in the dump, a source workers cannot reach).
   */
  storedPages?(runs: readonly (readonly [start: number, end: number])[]): Promise<StoredPages | undefined>;
}
