import type { CodecId } from '../codecs/registry.js';
import type { PageEncoder } from '../formats/kdump/page-encoder.js';
import type { ComputePool } from '../workers/pool.js';

/** The writers' PageEncoder over a pool of compute workers: each batch goes to an idle worker, transferred. */
export function poolEncoder(pool: ComputePool, codec: CodecId, pageSize: number): PageEncoder {
  const own = (pages: Uint8Array, count: number): ArrayBuffer =>
    (pages.byteOffset === 0 && pages.byteLength === pages.buffer.byteLength && pages.length === count * pageSize ? pages : pages.slice(0, count * pageSize))
      .buffer as ArrayBuffer;
  return {
    codec,
    async encode(pages, count) {
      const r = await pool.run((api) => api.encode(own(pages, count), codec, new Uint8Array(count).fill(1)));
      return { data: r.data, sizes: r.sizes };
    },
    encodeSkippingZero: (pages, count) => pool.run((api) => api.encode(own(pages, count), codec, new Uint8Array(count).fill(1), true)),
  };
}
