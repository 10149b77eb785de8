import { VmsieveError } from '../../errors.js';
import { ARM64 } from '../arm64/arch.js';
import { PPC64 } from '../ppc64/arch.js';
import { S390X } from '../s390x/arch.js';
import { RISCV64 } from '../riscv64/arch.js';
import { X86_64 } from '../x86_64/arch.js';
import type { Architecture } from '../../model/architecture.js';
import type { ByteOrder } from '../../model/byte-order.js';

export const ARCHITECTURES: readonly Architecture[] = [X86_64, ARM64, PPC64, S390X, RISCV64];

/** "x86_64, arm64, ppc64le, s390x and riscv64": the architectures vmsieve reads, for error messages. */
export const ARCHITECTURE_LIST = ARCHITECTURES.map((a) => a.name).join(', ').replace(/, ([^,]*)$/, ' and $1');

/** Names of the ELF machines Linux runs on, for saying which one a dump vmsieve cannot read is for (the ELF gABI's e_machine values). */
const ELF_MACHINE_NAMES: ReadonlyMap<number, string> = new Map([
  [2, 'SPARC'],
  [3, 'Intel 80386'],
  [8, 'MIPS'],
  [20, 'PowerPC'],
  [21, 'PowerPC 64-bit'],
  [22, 'IBM S/390'],
  [40, 'ARM 32-bit'],
  [42, 'SuperH'],
  [43, 'SPARC V9'],
  [50, 'IA-64'],
  [62, 'x86_64'],
  [183, 'AArch64'],
  [243, 'RISC-V'],
  [258, 'LoongArch'],
]);

/** "PowerPC 64-bit (ELF machine 21)", or just the number for a machine without a name here. */
export const elfMachineName = (machine: number): string => {
  const name = ELF_MACHINE_NAMES.get(machine);
  return name ? `${name} (ELF machine ${machine})` : `ELF machine ${machine}`;
};

/** "x86_64, arm64, ppc64le and s390x": the architectures vmsieve reads, for saying so in an error. */

/** The architecture of an ELF vmcore, from e_machine. */
export function archForElfMachine(machine: number, fileName: string): Architecture {
  const arch = ARCHITECTURES.find((a) => a.elfMachine === machine);
  if (!arch)
    throw new VmsieveError('E_ELF_MACHINE', `${fileName} is a core dump for ${elfMachineName(machine)}; vmsieve reads ${ARCHITECTURE_LIST} dumps only`, { machine });
  return arch;
}

/**
 * The byte order of a kdump-compressed file's header, from its utsname.machine (plain text in any order): the
 * architecture's; little-endian for a machine vmsieve does not read (archForUtsMachine refuses it once the signature says
 * the file is a kdump) and for an empty one, as archForUtsMachine takes it.
 */
export function byteOrderOfUtsMachine(machine: string): ByteOrder {
  return ARCHITECTURES.find((a) => a.utsMachine === machine || a.name === machine)?.byteOrder ?? 'little';
}

/**
 * The architecture of a kdump-compressed file, from its header's utsname.machine. An empty machine (a header
 * written without kernel memory to read it from) is taken as x86_64, the only machine such writers used.
 */
export function archForUtsMachine(machine: string, fileName: string): Architecture {
  if (machine === '') return X86_64;
  const arch = ARCHITECTURES.find((a) => a.utsMachine === machine || a.name === machine);
  if (!arch)
    throw new VmsieveError('E_ELF_MACHINE', `${fileName} is a kdump file for machine "${machine}"; vmsieve reads ${ARCHITECTURE_LIST} dumps only`, { machine });
  return arch;
}
