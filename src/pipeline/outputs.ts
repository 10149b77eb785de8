import type { CodecId } from '../codecs/registry.js';

/** Every output vmsieve writes and sizes, in the size table's order, with the makedumpfile flag that asks for it. */
export const OUTPUTS = [
  { kind: 'kdump-zlib', codec: 'zlib', flag: '-c' },
  { kind: 'kdump-lzo', codec: 'lzo', flag: '-l' },
  { kind: 'kdump-snappy', codec: 'snappy', flag: '-p' },
  { kind: 'kdump-zstd', codec: 'zstd', flag: '-z' },
  { kind: 'kdump-none', codec: undefined, flag: '' },
  { kind: 'elf', codec: undefined, flag: '-E' },
] as const satisfies readonly { kind: string; codec: CodecId | undefined; flag: string }[];

export type OutputKind = (typeof OUTPUTS)[number]['kind'];
export const OUTPUT_KINDS: readonly OutputKind[] = OUTPUTS.map((o) => o.kind);

/** makedumpfile's flag for an output ('' for uncompressed kdump). */
export const outputFlag = (kind: OutputKind): string => OUTPUTS.find((o) => o.kind === kind)!.flag;

/** The kdump output a codec writes. */
export const codecOutput = (codec: CodecId): OutputKind => OUTPUTS.find((o) => o.codec === codec)!.kind;

/** makedumpfile's compression flags (-c, -l, -p, -z) and the codec each asks for. */
export const CODEC_FLAGS: ReadonlyMap<string, CodecId> = new Map(OUTPUTS.flatMap((o) => (o.codec ? [[o.flag, o.codec] as const] : [])));

/** makedumpfile's flag for a codec. */
export const codecFlag = (codec: CodecId): string => outputFlag(codecOutput(codec));
