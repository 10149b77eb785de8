import type { DumpInfo } from '../api-types.js';
import { formatResolved, type KallsymsResult } from '../kernel/kallsyms/index.js';

/**
 * Names, as the kernel prints them (`sysrq_handle_crash+0x16/0x20`), for the crashing CPU's instruction pointer and
 * every register that points into kernel text. Without a symbol table the warning says why once; addresses stay raw.
 */
export function nameRegisters(info: DumpInfo, kallsyms: KallsymsResult | undefined): DumpInfo {
  if (!kallsyms) return info;
  if (!kallsyms.ok) return { ...info, warnings: [...info.warnings, kallsyms.warning] };
  const { table } = kallsyms.kallsyms;
  const nameOf = (value: string | null | undefined): string | undefined => {
    if (!value) return undefined;
    const address = BigInt(value);
    const r = table.isText(address) ? table.resolve(address) : undefined;
    return r && formatResolved(r);
  };
  const cpuRegisters = info.cpuRegisters.map((c) => {
    const symbols: Record<string, string> = {};
    for (const [reg, value] of Object.entries(c.registers)) {
      const name = nameOf(value);
      if (name) symbols[reg] = name;
    }
    return { ...c, symbols };
  });
  return { ...info, cpuRegisters, crashingIpSymbol: nameOf(info.crashingIp) ?? null };
}
