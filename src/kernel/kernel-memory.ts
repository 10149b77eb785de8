import { VmsieveError } from '../errors.js';
import type { Dump } from '../model/dump.js';
import { byteExtents } from '../model/page-extents.js';
import { sourceReader } from '../io/source-reader.js';
import { readExtents, type WorkerReader } from '../io/worker-reader.js';
import type { KernelTranslator } from '../model/architecture.js';
import type { VmcoreInfo } from '../model/vmcoreinfo.js';
import { Fields, type ByteOrder } from '../model/byte-order.js';

/** Reads kernel virtual memory out of a dump, translating through the dump's architecture. */
export class KernelMemory {
  /** Reads of kernel memory that is plain file data, straight into the caller's array. */
  private readonly fileReader: WorkerReader;

  private constructor(
    readonly dump: Dump,
    readonly info: VmcoreInfo,
    readonly translator: KernelTranslator,
  ) {
    this.fileReader = sourceReader(dump.source);
  }

  static open(dump: Dump): KernelMemory {
    if (!dump.vmcoreinfo)
      throw new VmsieveError('E_NO_VMCOREINFO', `${dump.source.name} has no VMCOREINFO note: kernel structures cannot be located, so no page filtering is possible (only zero pages can be found)`);
    const translator = dump.arch.openTranslator({
      info: dump.vmcoreinfo,
      loads: dump.loads,
      pageSize: dump.pageSize,
      readPhys: (paddr, length) => dump.readPhys(paddr, length),
    });
    return new KernelMemory(dump, dump.vmcoreinfo, translator);
  }

  get byteOrder(): ByteOrder {
    return this.dump.arch.byteOrder;
  }

  /** The kernel's multi-byte fields in `bytes` (read from this dump), in its byte order. */
  fields(bytes: Uint8Array): Fields {
    return new Fields(bytes, this.byteOrder);
  }

  virtToPhys(vaddr: bigint): Promise<number> {
    return this.translator.toPhys(vaddr);
  }

  /** The physically contiguous runs (phys, length) that `length` bytes at a kernel virtual address occupy, in order. */
  async physRuns(vaddr: bigint, length: number): Promise<Array<[phys: number, length: number]>> {
    let done = 0;
    const runs: Array<[number, number]> = [];
    while (done < length) {
      const first = await this.translator.toPhysRun(vaddr + BigInt(done));
      let run = Math.min(length - done, first.bytes);
      while (done + run < length) {
        const next = await this.translator.toPhysRun(vaddr + BigInt(done + run));
        if (next.phys !== first.phys + run) break;
        run += Math.min(next.bytes, length - done - run);
      }
      runs.push([first.phys, run]);
      done += run;
    }
    return runs;
  }

  /**
   * Reads `length` bytes at a kernel virtual address, one read per physically contiguous run of its mappings, into
   * the array `into()` gives (from its start) when given: the classifier reads struct pages straight into wasm memory.
   * It is asked for after the reads, so a view of memory that a read may grow (a kdump input's decompressor) stays valid.
   */
  async readVirt(vaddr: bigint, length: number, into?: () => Uint8Array): Promise<Uint8Array> {
    const runs = await this.physRuns(vaddr, length);
    const inFile = into && fileExtents(this.dump, runs);
    if (inFile) {
      await readExtents(this.fileReader, inFile, () => into().subarray(0, length));
      return into();
    }
    const read: Uint8Array[] = [];
    for (const [phys, run] of runs) read.push(await this.dump.readPhys(phys, run));
    const out = into?.() ?? new Uint8Array(length);
    let at = 0;
    for (const bytes of read) {
      out.set(bytes, at);
      at += bytes.length;
    }
    return out;
  }

  async readU64(vaddr: bigint): Promise<bigint> {
    return this.fields(await this.readVirt(vaddr, 8)).u64(0);
  }
}

/** Where the runs lie in an ELF vmcore's file when every byte of them is file data (no zero fill, no gap). */
function fileExtents(dump: Dump, runs: ReadonlyArray<readonly [number, number]>) {
  const found = byteExtents(dump, runs);
  return found && !found.extents.some((offset, i) => i % 2 === 0 && offset === -1) ? found : undefined;
}
