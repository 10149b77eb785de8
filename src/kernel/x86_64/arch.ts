import { EM_X86_64 } from '../../model/elf-constants.js';
import type { Architecture } from '../../model/architecture.js';
import { upperHalfStackPointer } from '../prstatus.js';
import { decodePrstatus, decodeQemuCpuState } from './registers.js';
import { START_KERNEL_MAP, X86_64Translator } from './translate.js';

export const X86_64: Architecture = {
  name: 'x86_64',
  elfMachine: EM_X86_64,
  utsMachine: 'x86_64',
  byteOrder: 'little',
  memoryFailure: true,
  ipRegister: 'rip',
  // CORE notes carry eflags, QEMU's own CPU state rflags.
  keyRegisters: ['rip', 'rsp', 'rbp', 'eflags', 'rflags'],
  kernelStackPointer: upperHalfStackPointer('rsp'),
  decodePrstatus,
  decodeQemuCpuState,
  openTranslator: (input) => X86_64Translator.open(input),
  dmesgCallerColumn: false,
  headerPhysBase({ vmcoreinfo, loads }) {
    const fromInfo = vmcoreinfo?.number('phys_base');
    if (fromInfo !== undefined) return fromInfo;
    const text = loads.find((l) => l.virtStart >= START_KERNEL_MAP);
    return text ? BigInt(text.physStart) - (text.virtStart & ~START_KERNEL_MAP) : 0n;
  },
};
