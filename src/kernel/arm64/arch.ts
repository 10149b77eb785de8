import { EM_AARCH64 } from '../../model/elf-constants.js';
import { VmsieveError } from '../../errors.js';
import type { Architecture } from '../../model/architecture.js';
import { arm64Layout } from './layout.js';
import { upperHalfStackPointer } from '../prstatus.js';
import { decodePrstatus } from './registers.js';
import { Arm64Translator } from './translate.js';

export const ARM64: Architecture = {
  name: 'arm64',
  elfMachine: EM_AARCH64,
  utsMachine: 'aarch64',
  byteOrder: 'little',
  memoryFailure: true,
  ipRegister: 'pc',
  // x29 is the frame pointer, x30 the link register.
  keyRegisters: ['pc', 'sp', 'x29', 'x30', 'pstate'],
  kernelStackPointer: upperHalfStackPointer('sp'),
  decodePrstatus,
  // QEMU writes its "QEMU" CPU-state note for x86 guests only.
  decodeQemuCpuState: () => undefined,
  openTranslator: (input) => Arm64Translator.open(input),
  dmesgCallerColumn: false,
  headerPhysBase({ vmcoreinfo, loads, pageSize }) {
    if (!vmcoreinfo) return 0n;
    const physOffset = vmcoreinfo.number('PHYS_OFFSET');
    if (physOffset !== undefined) return BigInt.asUintN(64, physOffset);
    // Without it, makedumpfile derives phys_base from the linear map's PT_LOAD, which needs the whole layout.
    try {
      return arm64Layout(vmcoreinfo, loads, pageSize).layout.physOffset;
    } catch (e) {
      if (e instanceof VmsieveError) return 0n;
      throw e;
    }
  },
};
