import type { VmcoreInfo } from '../../model/vmcoreinfo.js';
import type { ByteOrder } from '../../model/byte-order.js';

/** What the dmesg readers need: VMCOREINFO and reads of kernel virtual memory. `KernelMemory` satisfies it. */
export interface KernelReader {
  readonly info: VmcoreInfo;
  /** The dump's byte order, which kernel memory is in. */
  readonly byteOrder: ByteOrder;
  readVirt(vaddr: bigint, length: number): Promise<Uint8Array>;
}

/** Which of the kernel's log layouts the dump holds. */
export type DmesgLayout =
  /** 5.10+: lockless printk ring (`SYMBOL(prb)`): descriptor ring, info array, text data ring. */
  | 'printk_ringbuffer'
  /** 3.5 – 5.9: `log_buf` of variable-length `struct printk_log` records. */
  | 'printk_log'
  /** Before 3.5: `log_buf` is plain text, `log_end` its write position. */
  | 'log_end';

/** One kernel log record, for the UI. */
export interface DmesgRecord {
  /** Sequence number (printk_info.seq on 5.10+; the position in the walk for the older log_buf). */
  seq: number;
  /** Nanoseconds since boot (local_clock). */
  tsNsec: bigint;
  /** `tsNsec` as makedumpfile prints it, without brackets or padding: "8.670188". */
  time: string;
  /** Syslog level 0 (emerg) … 7 (debug); undefined if the record layout is not the known one. */
  level?: number;
  /** Syslog facility (0 kernel, 1 user for /dev/kmsg writers, …); undefined as for level. */
  facility?: number;
  /** Internal record flags (LOG_NEWLINE 2, LOG_CONT 8); undefined as for level. */
  flags?: number;
  /** Raw printk caller id: bit 31 set = CPU number, else task id. Undefined when the kernel lacks it. */
  callerId?: number;
  /** `callerId` as dmesg and upstream makedumpfile print it: "T123" or "C1". */
  caller?: string;
  /** Device metadata attached by dev_printk (the old "dict"). */
  subsystem?: string;
  device?: string;
  /** The message text, decoded as UTF-8 (invalid bytes become U+FFFD); may contain newlines. */
  text: string;
}

export interface DmesgOptions {
  /** makedumpfile's `--partial-dmesg`: only what came after the last `dmesg -c` (clear_seq / clear_idx). */
  partial?: boolean;
  /**
   * Print the printk caller id column ("[    0.000000] [      T0] ..."), as upstream makedumpfile ≥ 1.7.5 does
   * whenever VMCOREINFO has OFFSET(printk_info.caller_id). Default (readDmesg): the architecture's dmesgCallerColumn;
   * readDmesgFromKernel: false, Debian's 1.7.2 format, which never prints it.
   */
  callerId?: boolean;
}

export interface DmesgWarning {
  code: string;
  message: string;
}

export interface DmesgResult {
  layout: DmesgLayout;
  /** Records in log order (empty for the pre-3.5 `log_end` layout, which holds plain text only). */
  records: DmesgRecord[];
  /**
   * The log exactly as `makedumpfile --dump-dmesg` writes it (latin1 string: one char per output byte; for the record
   * layouts it is pure ASCII, because makedumpfile escapes every non-ASCII byte).
   */
  log: string;
  /** False when makedumpfile would stop early and fail (corrupt log_buf: a cycle, or an index outside the buffer). */
  complete: boolean;
  warnings: DmesgWarning[];
}
