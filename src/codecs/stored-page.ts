import { VmsieveError } from '../errors.js';
import { lzoDecompress } from './lzo-decode.js';
import type { CodecId } from './registry.js';
import { snappyDecompress } from './snappy-decode.js';
import { zlibDecompress } from './zlib-decode.js';
import { zstdDecompress } from './zstd-decode.js';

/**
 * The kdump header status bit and page_desc flag of each codec (makedumpfile's DUMP_DH_COMPRESSED_ZLIB, _LZO,
 * _SNAPPY, _ZSTD): how a stored page says how to decode it.
 */
export const CODEC_FLAG: Record<CodecId, number> = { zlib: 0x1, lzo: 0x2, snappy: 0x4, zstd: 0x20 };

/** Decompresses one stored page; must return exactly pageSize bytes. */
export type PageDecompressor = (data: Uint8Array, pageSize: number) => Uint8Array | Promise<Uint8Array>;
export type Decompressors = Partial<Record<CodecId, PageDecompressor>>;

const FLAG_CODEC: [number, CodecId][] = Object.entries(CODEC_FLAG).map(([c, f]) => [f, c as CodecId]);

/** zlib through node:zlib in Node, our TypeScript decoders for everything else (and for zlib in a browser). */
export function defaultDecompressors(): Decompressors {
  // getBuiltinModule, not import(): a browser bundle of this module then has no node: import to resolve.
  const zlib = globalThis.process?.getBuiltinModule?.('node:zlib') as typeof import('node:zlib') | undefined;
  return {
    // A browser's DecompressionStream costs 0.25-1.7 ms a page (a stream and promises each): the TypeScript decoder, 0.04 ms.
    zlib: zlib ? (data) => zlib.inflateSync(data) : zlibDecompress,
    lzo: lzoDecompress,
    snappy: snappyDecompress,
    zstd: zstdDecompress,
  };
}

/**
 * One page from its stored bytes (raw, or compressed per the descriptor's flags), as the kdump reader and the compute
 * workers that read a kdump file themselves both decode it. `name` is the file's, for messages.
 */
export async function decodeStoredPage(name: string, pfn: number, desc: { size: number; flags: number }, data: Uint8Array, pageSize: number, decompressors: Decompressors): Promise<Uint8Array> {
  const ps = pageSize;
  if (desc.flags === 0) {
    if (desc.size !== ps) throw new VmsieveError('E_BAD_HEADER', `${name}: raw page 0x${pfn.toString(16)} is ${desc.size} bytes, not ${ps}`, { pfn });
    return data;
  }
  const codec = FLAG_CODEC.find(([f]) => desc.flags & f)?.[1];
  const decompress = codec && decompressors[codec];
  if (!decompress)
    throw new VmsieveError('E_UNSUPPORTED', `${name}: pfn 0x${pfn.toString(16)} is ${codec ?? `flag 0x${desc.flags.toString(16)}`}-compressed; vmsieve cannot decompress ${codec ?? 'that'} yet`, { pfn, flags: desc.flags });
  let out: Uint8Array;
  try {
    out = await decompress(data, ps);
  } catch (e) {
    throw new VmsieveError('E_BAD_HEADER', `${name}: pfn 0x${pfn.toString(16)} does not decompress (${codec}): ${(e as Error).message}`, { pfn });
  }
  if (out.length !== ps) throw new VmsieveError('E_BAD_HEADER', `${name}: pfn 0x${pfn.toString(16)} decompresses to ${out.length} bytes, not ${ps}`, { pfn });
  return out;
}
