import { EM_RISCV } from '../../model/elf-constants.js';
import type { Architecture } from '../../model/architecture.js';
import { physRamBaseOf } from './layout.js';
import { upperHalfStackPointer } from '../prstatus.js';
import { decodePrstatus } from './registers.js';
import { Riscv64Translator } from './translate.js';

export const RISCV64: Architecture = {
  name: 'riscv64',
  elfMachine: EM_RISCV,
  utsMachine: 'riscv64',
  byteOrder: 'little',
  // riscv64 can poison pages (ARCH_SUPPORTS_MEMORY_FAILURE); a kernel built without it lacks PG_hwpoison and is warned of.
  memoryFailure: true,
  ipRegister: 'pc',
  // ra is the return address, s0 the frame pointer.
  keyRegisters: ['pc', 'sp', 's0', 'ra'],
  kernelStackPointer: upperHalfStackPointer('sp'),
  decodePrstatus,
  // QEMU writes its "QEMU" CPU-state note for x86 guests only.
  decodeQemuCpuState: () => undefined,
  openTranslator: (input) => Riscv64Translator.open(input),
  dmesgCallerColumn: true,
  headerPhysBase: ({ vmcoreinfo }) => physRamBaseOf(vmcoreinfo),
};
