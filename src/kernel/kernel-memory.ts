import { VmsieveError } from '../errors.js';
import type { Dump } from '../formats/dump.js';
import type { KernelTranslator } from './arch/types.js';
import type { VmcoreInfo } from './vmcoreinfo.js';

/** Reads kernel virtual memory out of a dump, translating through the dump's architecture. */
export class KernelMemory {
  private constructor(
    readonly dump: Dump,
    readonly info: VmcoreInfo,
    readonly translator: KernelTranslator,
  ) {}

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

  virtToPhys(vaddr: bigint): Promise<number> {
    return this.translator.toPhys(vaddr);
  }

  /** Reads `length` bytes at a kernel virtual address, page by page, merging physically contiguous runs. */
  async readVirt(vaddr: bigint, length: number): Promise<Uint8Array> {
    const pageSize = this.dump.pageSize;
    const offsetMask = BigInt(pageSize - 1);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const va = vaddr + BigInt(done);
      const start = await this.translator.toPhys(va);
      let run = Math.min(length - done, pageSize - Number(va & offsetMask));
      while (done + run < length) {
        const next = await this.translator.toPhys(vaddr + BigInt(done + run));
        if (next !== start + run) break;
        run += Math.min(pageSize, length - done - run);
      }
      out.set(await this.dump.readPhys(start, run), done);
      done += run;
    }
    return out;
  }

  async readU64(vaddr: bigint): Promise<bigint> {
    const b = await this.readVirt(vaddr, 8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }
}
