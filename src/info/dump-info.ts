import type { DumpInfo, DumpWarning } from '../api-types.js';
import { VmsieveError } from '../errors.js';
import type { Dump } from '../model/dump.js';
import { isKdumpDump } from '../formats/kdump/read-kdump.js';
import { coveredBytes, physicalHoles } from '../formats/layout.js';
import { KernelMemory } from '../kernel/kernel-memory.js';
import { kallsymsOf } from '../kernel/kallsyms/index.js';
import { nameRegisters } from './register-names.js';
import { readMemSections } from '../kernel/mem-section.js';
import { cpuRegistersFromNotes } from '../kernel/crash-context.js';
import { NT_PRSTATUS } from '../model/elf-constants.js';

export const NO_VMCOREINFO_WARNING: DumpWarning = {
  code: 'E_NO_VMCOREINFO',
  message:
    'This dump has no VMCOREINFO note: the kernel release and structures are unknown, so no page filtering is possible — only zero pages can be excluded (dump level 1).',
};

/** The facts a person wants first about a dump; reads headers, notes and the mem_section roots only. */
export async function describeDump(dump: Dump): Promise<DumpInfo> {
  const info = dump.vmcoreinfo;
  const warnings: DumpWarning[] = [...(dump.warnings ?? [])];
  const cpus = cpuRegistersFromNotes(dump);
  const cpuCount = dump.notes.filter((n) => n.name === 'CORE' && n.type === NT_PRSTATUS).length || cpus.length;

  let maxPfn = dump.maxPfnFromLoads;
  let physBase: number | null = null;
  let pagingLevels: number | null = null;
  let km: KernelMemory | undefined;
  if (!info) {
    warnings.push(NO_VMCOREINFO_WARNING);
  } else {
    try {
      km = KernelMemory.open(dump);
      physBase = Number(km.translator.physBase);
      warnings.push(...km.translator.warnings);
      maxPfn = (await readMemSections(km)).maxPfn;
      // After a translation: s390x learns its levels from the root table's first entry.
      pagingLevels = km.translator.levels;
    } catch (e) {
      if (!(e instanceof VmsieveError)) throw e;
      warnings.push({ code: e.code, message: e.message });
    }
  }
  const crashTime = info?.crashTime;
  const kaslr = info?.kernelOffset;
  const crashingCpu = dump.producer === 'kdump' && cpus.length === 1 ? 0 : null;
  return nameRegisters({
    fileName: dump.source.name,
    fileSize: dump.source.size,
    format: dump.format,
    dumpLevel: isKdumpDump(dump) ? (dump.subHeader?.dumpLevel ?? null) : null,
    producer: dump.producer,
    release: info?.osRelease ?? null,
    arch: dump.arch.name,
    ipRegister: dump.arch.ipRegister,
    keyRegisters: [...dump.arch.keyRegisters],
    pageSize: dump.pageSize,
    cpus: cpuCount,
    crashTime: crashTime === undefined ? null : new Date(crashTime * 1000).toISOString(),
    crashingCpu,
    crashingIp: crashingCpu === null ? null : (cpus[crashingCpu]?.registers[dump.arch.ipRegister] ?? null),
    physicalMemoryBytes: coveredBytes(dump.loads),
    maxPfn,
    physBase,
    kaslrOffset: kaslr === undefined ? null : Number(kaslr),
    pagingLevels,
    loadSegments: dump.loads.length,
    holes: physicalHoles(dump.loads),
    segments: dump.loads.map((l) => ({ physStart: l.physStart, physEnd: l.physEnd, fileOffset: l.fileOffset, fileSize: l.fileSize })),
    cpuRegisters: cpus,
    buildId: info?.buildId ?? null,
    vmcoreinfo: info?.toObject() ?? {},
    vmcoreinfoText: info?.raw ?? null,
    warnings,
  }, km && (await kallsymsOf(dump, km)));
}
