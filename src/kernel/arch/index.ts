import { VmsieveError } from '../../errors.js';
import { ARM64 } from '../arm64/arch.js';
import { X86_64 } from '../x86_64/arch.js';
import type { Architecture } from '../../model/architecture.js';

export const ARCHITECTURES: readonly Architecture[] = [X86_64, ARM64];

/** The architecture of an ELF vmcore, from e_machine. */
export function archForElfMachine(machine: number, fileName: string): Architecture {
  const arch = ARCHITECTURES.find((a) => a.elfMachine === machine);
  if (!arch)
    throw new VmsieveError('E_ELF_MACHINE', `${fileName} is a core dump for ELF machine ${machine}; vmsieve reads ${ARCHITECTURES.map((a) => a.name).join(' and ')} dumps only`, { machine });
  return arch;
}

/**
 * The architecture of a kdump-compressed file, from its header's utsname.machine. An empty machine (a header
 * written without kernel memory to read it from) is taken as x86_64, the only machine such writers used.
 */
export function archForUtsMachine(machine: string, fileName: string): Architecture {
  if (machine === '') return X86_64;
  const arch = ARCHITECTURES.find((a) => a.utsMachine === machine || a.name === machine);
  if (!arch)
    throw new VmsieveError('E_ELF_MACHINE', `${fileName} is a kdump file for machine "${machine}"; vmsieve reads ${ARCHITECTURES.map((a) => a.name).join(' and ')} dumps only`, { machine });
  return arch;
}
