import type { OutputKind } from '../../src/browser.js';

export type Kind = OutputKind;

export interface OutputChoice {
  kind: Kind;
  label: string;
  short: string;
  /** makedumpfile's flag for it ('' for uncompressed kdump). */
  flag: string;
}

/** The outputs the page can write and size, in the size table's column order. */
export const OUTPUTS: OutputChoice[] = [
  { kind: 'kdump-zlib', label: 'kdump, zlib', short: 'zlib', flag: '-c' },
  { kind: 'kdump-lzo', label: 'kdump, LZO', short: 'LZO', flag: '-l' },
  { kind: 'kdump-snappy', label: 'kdump, snappy', short: 'snappy', flag: '-p' },
  { kind: 'kdump-zstd', label: 'kdump, zstd', short: 'zstd', flag: '-z' },
  { kind: 'kdump-none', label: 'kdump, uncompressed', short: 'none', flag: '' },
  { kind: 'elf', label: 'ELF (uncompressed)', short: 'ELF', flag: '-E' },
];

export const outputChoice = (kind: Kind): OutputChoice => OUTPUTS.find((o) => o.kind === kind)!;
