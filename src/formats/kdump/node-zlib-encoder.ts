import { constants, deflateSync } from 'node:zlib';
import { STORED_RAW, type EncodedPages, type InThreadEncoder } from './page-encoder.js';

/**
 * zlib per page through Node's zlib (deflate level 1 = Z_BEST_SPEED, RFC 1950 wrapper), exactly what
 * makedumpfile -c calls. A Node-only stand-in for the AssemblyScript zlib codec, and a reference for it.
 */
export function nodeZlibEncoder(pageSize: number): InThreadEncoder {
  return {
    codec: 'zlib',
    encode(pages: Uint8Array, count: number): EncodedPages {
      const sizes = new Uint32Array(count);
      const parts: Uint8Array[] = [];
      let total = 0;
      for (let i = 0; i < count; i++) {
        const page = pages.subarray(i * pageSize, (i + 1) * pageSize);
        const z = deflateSync(page, { level: constants.Z_BEST_SPEED });
        const stored = z.length < pageSize ? z : page;
        sizes[i] = z.length < pageSize ? z.length : pageSize | STORED_RAW;
        parts.push(stored);
        total += stored.length;
      }
      const data = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        data.set(p, at);
        at += p.length;
      }
      return { data, sizes };
    },
  };
}
