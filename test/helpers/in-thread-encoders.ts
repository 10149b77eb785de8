import { constants, deflateSync } from 'node:zlib';
import { STORED_RAW, type CodecId, type CompressedPages } from '../../src/codecs/registry.js';
import type { PageEncoder } from '../../src/formats/kdump/page-encoder.js';
import { readBatch } from '../../src/formats/kdump/stored-raw.js';
import type { SourceDump } from '../../src/formats/kdump/write-kdump.js';
import { concatBytes } from '../../src/io/concat.js';

/**
 * A kdump writer encoder that compresses in this thread, without workers: `compress` gets the pages it is to store
 * (with skipZero, the non-zero ones) back to back, `count` of them, and returns their stored forms.
 */
export function inThreadEncoder(dump: SourceDump, codec: CodecId, compress: (pages: Uint8Array, count: number) => CompressedPages): PageEncoder {
  const ps = dump.pageSize;
  return {
    codec,
    async encodeRuns(runs, count, skipZero) {
      const { pages, zero } = await readBatch(dump, runs, count, skipZero);
      const kept = [...zero.keys()].filter((i) => !zero[i]);
      const sizes = new Uint32Array(count);
      if (kept.length === 0) return { zero, sizes, data: new Uint8Array(0) };
      let toEncode = pages;
      if (kept.length !== count) {
        toEncode = new Uint8Array(kept.length * ps);
        kept.forEach((p, j) => toEncode.set(pages.subarray(p * ps, (p + 1) * ps), j * ps));
      }
      const encoded = await compress(toEncode, kept.length);
      kept.forEach((p, j) => (sizes[p] = encoded.sizes[j]!));
      return { zero, sizes, data: encoded.data };
    },
  };
}

/** In-thread encoder over a codec facade (src/codecs/registry.ts createCompressor). */
export function compressorEncoder(dump: SourceDump, codec: CodecId, compressor: { compress(pages: Uint8Array): CompressedPages }): PageEncoder {
  return inThreadEncoder(dump, codec, (pages) => compressor.compress(pages));
}

/**
 * zlib per page through Node's zlib (deflate level 1 = Z_BEST_SPEED, RFC 1950 wrapper), exactly what
 * makedumpfile -c calls: a stand-in for the AssemblyScript zlib codec, and a reference for it.
 */
export function nodeZlibEncoder(dump: SourceDump): PageEncoder {
  const ps = dump.pageSize;
  return inThreadEncoder(dump, 'zlib', (pages, count) => {
    const sizes = new Uint32Array(count);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const page = pages.subarray(i * ps, (i + 1) * ps);
      const z = deflateSync(page, { level: constants.Z_BEST_SPEED });
      parts.push(z.length < ps ? z : page);
      sizes[i] = z.length < ps ? z.length : ps | STORED_RAW;
    }
    return { data: concatBytes(parts), sizes };
  });
}
