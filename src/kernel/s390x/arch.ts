import { EM_S390 } from '../../model/elf-constants.js';
import type { Architecture } from '../../model/architecture.js';
import { decodePrstatus, kernelStackPointer } from './registers.js';
import { S390X_BYTE_ORDER } from './table-entry.js';
import { S390xTranslator } from './translate.js';

export const S390X: Architecture = {
  name: 's390x',
  elfMachine: EM_S390,
  utsMachine: 's390x',
  byteOrder: S390X_BYTE_ORDER,
  // arch/s390 does not select ARCH_SUPPORTS_MEMORY_FAILURE: no page is ever hwpoisoned.
  memoryFailure: false,
  ipRegister: 'psw_addr',
  // r15 is the stack pointer, r14 the return address.
  keyRegisters: ['psw_addr', 'r15', 'r14', 'psw_mask'],
  kernelStackPointer,
  decodePrstatus,
  // QEMU writes its "QEMU" CPU-state note for x86 guests only.
  decodeQemuCpuState: () => undefined,
  openTranslator: (input) => S390xTranslator.open(input),
  dmesgCallerColumn: false,
  // makedumpfile has no phys_base on s390x (get_phys_base is a stub): the kernel runs where it was linked.
  headerPhysBase: () => 0n,
};
