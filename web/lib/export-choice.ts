import { outputChoice, type Kind } from './outputs.js';

/** What a chosen level and output mean for an export: the file it writes, its format and codec, the workers. */

export type ExportCodec = 'zlib' | 'lzo' | 'snappy' | 'zstd' | 'none';

export const formatOf = (kind: Kind): 'elf' | 'kdump' => (kind === 'elf' ? 'elf' : 'kdump');

/** The kdump codec of an output; undefined for ELF. */
export const codecOf = (kind: Kind): ExportCodec | undefined => (kind.startsWith('kdump-') ? (kind.slice(6) as ExportCodec) : undefined);

/** The suggested output name: `<dump>.d<level>.<format>`. */
export const exportName = (fileName: string, level: number, kind: Kind): string => `${fileName}.d${level}.${formatOf(kind)}`;

/** The makedumpfile command that writes the same file. */
export function makedumpfileCommand(fileName: string, level: number, kind: Kind): string {
  return ['makedumpfile', outputChoice(kind).flag, `-d ${level}`, fileName, exportName(fileName, level, kind)].filter(Boolean).join(' ');
}

/** Threads this machine offers (4 where the browser does not say): the page's default worker count. */
export const hardwareThreads = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 4;

/** A typed-in worker count as one the pool takes: whole, from 1 to 64; the default for what is not. */
export function clampWorkers(n: number): number {
  const v = Math.floor(Number(n));
  return Number.isFinite(v) && v >= 1 ? Math.min(v, 64) : hardwareThreads;
}

/** How many workers compress for `kind`: none for the outputs written uncompressed. */
export const compressingWorkers = (kind: Kind, workers: number): number => (kind === 'elf' || kind === 'kdump-none' ? 0 : clampWorkers(workers));
