import { browserThreads } from '../../src/browser.js';
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

/** How many workers compress for `kind`: none for the outputs written uncompressed. */
export const compressingWorkers = (kind: Kind, workers: number): number => (kind === 'elf' || kind === 'kdump-none' ? 0 : browserThreads(workers));
