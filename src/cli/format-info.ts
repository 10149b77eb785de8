import type { DumpInfo } from '../api-types.js';

const hex = (n: number) => `0x${n.toString(16)}`;
const signedHex = (n: number) => (n < 0 ? `-0x${(-n).toString(16)}` : hex(n));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** `vmsieve --info` for a person. */
export function formatInfo(d: DumpInfo): string {
  const rows: Array<[string, string]> = [
    ['File', `${d.fileName} (${d.fileSize} bytes)`],
    ['Format', `${d.format} (${d.producer === 'qemu' ? 'QEMU dump-guest-memory' : d.producer === 'kdump' ? 'kdump /proc/vmcore' : 'unknown producer'})`],
    ['Kernel release', d.release ?? 'unknown'],
    ['Architecture', d.arch],
    ['Page size', String(d.pageSize)],
    ['CPUs', String(d.cpus)],
    ['Crash time', d.crashTime ?? 'not recorded'],
  ];
  if (d.crashingCpu !== null) rows.push(['Crashing CPU', `${d.crashingCpu} at ${d.ipRegister} ${d.crashingIp ?? '?'}`]);
  rows.push(
    ['Physical memory', `${mib(d.physicalMemoryBytes)} in the dump`],
    ['Max pfn', `${d.maxPfn} (${hex(d.maxPfn)})`],
    ['phys_base', d.physBase === null ? 'unknown' : signedHex(d.physBase)],
    ['KASLR offset', d.kaslrOffset === null ? 'unknown' : hex(d.kaslrOffset)],
    ['Paging levels', d.pagingLevels === null ? 'unknown' : String(d.pagingLevels)],
    ['PT_LOAD segments', String(d.loadSegments)],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)} : ${v}`);
  lines.push('', 'Segments (physical start - end, file offset, bytes in file):');
  for (const s of d.segments) lines.push(`  ${hex(s.physStart).padStart(14)} - ${hex(s.physEnd).padEnd(14)} @ ${hex(s.fileOffset)}, ${s.fileSize}`);
  if (d.holes.length) {
    lines.push('Holes:');
    for (const h of d.holes) lines.push(`  ${hex(h.physStart).padStart(14)} - ${hex(h.physEnd)}`);
  }
  for (const c of d.cpuRegisters) {
    const shown = d.keyRegisters.filter((name) => c.registers[name] !== undefined).map((name) => `${name} ${c.registers[name]}`);
    lines.push('', `CPU ${c.cpu}${c.pid !== undefined ? ` (pid ${c.pid})` : ''}: ${shown.join(' ')}`);
  }
  for (const w of d.warnings) lines.push('', `warning: ${w.message}`);
  return lines.join('\n') + '\n';
}
