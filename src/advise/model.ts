import type { LevelSizes } from '../pipeline/analyse.js';
import { outputFlag, type OutputKind } from '../pipeline/outputs.js';

/**
 * How long capturing a dump like this one would take, for every level × output, and which to use: the capture
 * kernel reads the pages the level has to look at, compresses the kept ones on one CPU (makedumpfile's default) and
 * writes the file, one after the other. Pure: the speeds come in, nothing is measured here.
 */

export interface Speeds {
  /** Bytes per second the capture kernel reads /proc/vmcore at. */
  read: number;
  /** Bytes of pages per second each codec compresses on one CPU (kdump-none and ELF are not compressed). */
  compress: Record<'kdump-zlib' | 'kdump-lzo' | 'kdump-snappy' | 'kdump-zstd', number>;
  /** Bytes per second the dump target takes. */
  write: number;
}

export interface Candidate {
  level: number;
  output: OutputKind;
  bytes: number;
  seconds: number;
  /** The parts of `seconds`. */
  readSeconds: number;
  compressSeconds: number;
  writeSeconds: number;
}

export interface Advice {
  /** The fastest candidate within the budget (the smaller file on a tie), or null when none fits. */
  recommended: Candidate | null;
  /** Every level × output, fastest first. */
  candidates: Candidate[];
}

const COMPRESSED = ['kdump-zlib', 'kdump-lzo', 'kdump-snappy', 'kdump-zstd'] as const;
export const ADVISED_OUTPUTS: readonly OutputKind[] = [...COMPRESSED, 'kdump-none', 'elf'];

/**
 * Pages a level reads: those it keeps before zero pages are dropped (a zero page must be read to be known), as their
 * uncompressed bytes: the kdump-none size at the level without bit 1.
 */
function readBytes(levels: readonly LevelSizes[], level: number): number {
  return levels[level & ~1]!.bytes['kdump-none'];
}

export function candidatesFor(levels: readonly LevelSizes[], speeds: Speeds): Candidate[] {
  const out: Candidate[] = [];
  for (const l of levels)
    for (const output of ADVISED_OUTPUTS) {
      const read = readBytes(levels, l.level);
      const bytes = l.bytes[output];
      const codec = (COMPRESSED as readonly string[]).includes(output) ? speeds.compress[output as (typeof COMPRESSED)[number]] : undefined;
      const readSeconds = read / speeds.read;
      const compressSeconds = codec ? l.bytes['kdump-none'] / codec : 0;
      const writeSeconds = bytes / speeds.write;
      out.push({ level: l.level, output, bytes, seconds: readSeconds + compressSeconds + writeSeconds, readSeconds, compressSeconds, writeSeconds });
    }
  return out.sort(byTimeThenSize);
}

function byTimeThenSize(a: Candidate, b: Candidate): number {
  return a.seconds - b.seconds || a.bytes - b.bytes || b.level - a.level || a.output.localeCompare(b.output);
}

/** The fastest capture whose file fits `maxBytes` (no limit when undefined). */
export function advise(levels: readonly LevelSizes[], speeds: Speeds, maxBytes?: number): Advice {
  const candidates = candidatesFor(levels, speeds);
  const recommended = candidates.find((c) => maxBytes === undefined || c.bytes <= maxBytes) ?? null;
  return { recommended, candidates };
}

/** SUSE's KDUMP_DUMPFORMAT names (kdump(5) on SLES/openSUSE); it has none for uncompressed kdump format. */
const SUSE_FORMAT: Partial<Record<OutputKind, string>> = { 'kdump-zlib': 'compressed', 'kdump-lzo': 'lzo', 'kdump-snappy': 'snappy', 'kdump-zstd': 'zstd', elf: 'ELF' };

export interface ConfigLine {
  distribution: string;
  file: string;
  line: string;
}

/** What to put in each distribution's kdump configuration to capture at `level` with `output`. */
export function configLines(level: number, output: OutputKind): ConfigLine[] {
  const args = [outputFlag(output), `-d ${level}`].filter(Boolean).join(' ');
  const suse = SUSE_FORMAT[output];
  return [
    { distribution: 'RHEL, Fedora', file: '/etc/kdump.conf', line: `core_collector makedumpfile ${[outputFlag(output), '--message-level 7', `-d ${level}`].filter(Boolean).join(' ')}` },
    { distribution: 'Debian, Ubuntu', file: '/etc/default/kdump-tools', line: `MAKEDUMP_ARGS="${args}"` },
    {
      distribution: 'SUSE',
      file: '/etc/sysconfig/kdump',
      line: suse ? `KDUMP_DUMPLEVEL="${level}" KDUMP_DUMPFORMAT="${suse}"` : `KDUMP_DUMPLEVEL="${level}" (KDUMP_DUMPFORMAT has no uncompressed kdump format: use "compressed")`,
    },
  ];
}

/** Write-speed presets, in bytes per second. */
export const WRITE_PRESETS = [
  { id: 'disk', label: 'Local disk', bytesPerSecond: 200e6 },
  { id: 'nfs', label: 'NFS (1 Gbit/s)', bytesPerSecond: 100e6 },
  { id: 'ssh', label: 'ssh to a remote host', bytesPerSecond: 30e6 },
] as const;

/** What the model takes for granted, to show beside its answer. */
export function assumptions(speeds: Speeds, measuredOn: string): string[] {
  const mb = (n: number) => `${Math.round(n / 1e6)} MB/s`;
  return [
    `The capture kernel reads /proc/vmcore at ${mb(speeds.read)} (it reads from RAM), the pages a level has to look at: those it keeps, and zero pages too when it drops them.`,
    `Compression runs on one CPU, makedumpfile's default, at the speeds measured ${measuredOn}: ${COMPRESSED.map((c) => `${c.slice(6)} ${mb(speeds.compress[c])}`).join(', ')}. The capture kernel's CPUs and memory are not this machine's: usually one CPU and a small crashkernel reservation, so expect it slower.`,
    `Writes go at ${mb(speeds.write)}, after reading and compressing (no overlap), so the times are upper bounds for that speed.`,
    'Sizes are those of this dump; another crash of the same machine will differ with its workload.',
  ];
}
