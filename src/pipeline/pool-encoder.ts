import type { CodecId } from '../codecs/registry.js';
import type { Dump } from '../formats/dump.js';
import type { PageEncoder } from '../formats/kdump/page-encoder.js';
import { pageExtents } from '../formats/page-extents.js';
import type { ComputePool } from '../workers/pool.js';

/**
 * The writers' PageEncoder over a pool of compute workers: each batch goes to an idle worker. When the workers can
 * reach the dump themselves (an ELF vmcore in a file or File), they read their batches directly and the writer's
 * thread never touches page data; otherwise batches are read by the writer and transferred.
 */
export function poolEncoder(pool: ComputePool, codec: CodecId, pageSize: number, dump?: Dump): PageEncoder {
  const own = (pages: Uint8Array, count: number): ArrayBuffer =>
    (pages.byteOffset === 0 && pages.byteLength === pages.buffer.byteLength && pages.length === count * pageSize ? pages : pages.slice(0, count * pageSize))
      .buffer as ArrayBuffer;
  const all = (count: number) => new Uint8Array(count).fill(1);
  const encoder: PageEncoder = {
    codec,
    async encode(pages, count) {
      const r = await pool.run((api) => api.encode(own(pages, count), codec, all(count)));
      return { data: r.data, sizes: r.sizes };
    },
    encodeSkippingZero: (pages, count) => pool.run((api) => api.encode(own(pages, count), codec, all(count), true)),
  };
  if (dump && pageExtents(dump, [])) {
    encoder.encodeRuns = (runs, count, skipZero) => pool.run((api) => api.encode(pageExtents(dump, runs)!, codec, all(count), skipZero));
  }
  return encoder;
}
