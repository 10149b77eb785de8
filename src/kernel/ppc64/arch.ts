import { EM_PPC64 } from '../../model/elf-constants.js';
import type { Architecture } from '../../model/architecture.js';
import { upperHalfStackPointer } from '../prstatus.js';
import { decodePrstatus } from './registers.js';
import { Ppc64Translator } from './translate.js';

export const PPC64: Architecture = {
  name: 'ppc64le',
  elfMachine: EM_PPC64,
  utsMachine: 'ppc64le',
  // ppc64 big-endian dumps (utsname "ppc64") are another architecture: their ELF or kdump header names the order, and
  // this one refuses it.
  byteOrder: 'little',
  // Its kernels can hwpoison pages (Debian's ppc64le 6.1 exports NUMBER(PG_hwpoison)).
  memoryFailure: true,
  ipRegister: 'nip',
  // gpr1 is the stack pointer; link holds the return address; msr the machine state.
  keyRegisters: ['nip', 'gpr1', 'link', 'msr'],
  kernelStackPointer: upperHalfStackPointer('gpr1'),
  decodePrstatus,
  // QEMU writes its "QEMU" CPU-state note for x86 guests only.
  decodeQemuCpuState: () => undefined,
  openTranslator: (input) => Ppc64Translator.open(input),
  dmesgCallerColumn: false,
  // makedumpfile has no phys_base on ppc64: the kdump sub-header carries 0.
  headerPhysBase: () => 0n,
};
