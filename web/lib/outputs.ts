import { OUTPUT_KINDS, outputFlag, type OutputKind } from '../../src/browser.js';

export type Kind = OutputKind;

export interface OutputChoice {
  kind: Kind;
  label: string;
  short: string;
  /** makedumpfile's flag for it ('' for uncompressed kdump). */
  flag: string;
}

const NAMES: Record<Kind, Pick<OutputChoice, 'label' | 'short'>> = {
  'kdump-zlib': { label: 'kdump, zlib', short: 'zlib' },
  'kdump-lzo': { label: 'kdump, LZO', short: 'LZO' },
  'kdump-snappy': { label: 'kdump, snappy', short: 'snappy' },
  'kdump-zstd': { label: 'kdump, zstd', short: 'zstd' },
  'kdump-none': { label: 'kdump, uncompressed', short: 'none' },
  elf: { label: 'ELF (uncompressed)', short: 'ELF' },
};

/** The outputs the page can write and size, in the size table's column order. */
export const OUTPUTS: OutputChoice[] = OUTPUT_KINDS.map((kind) => ({ kind, ...NAMES[kind], flag: outputFlag(kind) }));

export const outputChoice = (kind: Kind): OutputChoice => OUTPUTS.find((o) => o.kind === kind)!;
