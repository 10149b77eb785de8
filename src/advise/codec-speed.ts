import { createCompressor } from '../codecs/registry.js';
import type { Dump, PfnRange } from '../model/dump.js';
import type { KernelExports } from '../wasm/kernels.js';
import type { Speeds } from './model.js';
import { concatBytes } from '../io/concat.js';

const SAMPLE_PAGES = 2048;
const SAMPLE_RUN = 64;
/** Each codec compresses the sample at least this long, so a timer's grain does not decide its speed. */
const MIN_MS = 150;

/** About SAMPLE_PAGES pages of the dump, in runs spread over the pages it can read. */
export async function samplePages(dump: Dump, readable: readonly PfnRange[]): Promise<Uint8Array> {
  const total = readable.reduce((n, r) => n + r.end - r.start, 0);
  const runs = Math.max(1, Math.floor(Math.min(total, SAMPLE_PAGES) / SAMPLE_RUN));
  const stride = Math.max(SAMPLE_RUN, Math.floor(total / runs));
  const ps = dump.pageSize;
  const parts: Uint8Array[] = [];
  let index = 0;
  for (const r of readable)
    for (let pfn = r.start; pfn < r.end; ) {
      const next = index + (r.end - pfn);
      const at = Math.ceil(index / stride) * stride;
      if (at >= next) {
        index = next;
        break;
      }
      const start = pfn + (at - index);
      const count = Math.min(SAMPLE_RUN, r.end - start);
      parts.push(await dump.readPhys(start * ps, count * ps));
      index = at + count;
      pfn = start + count;
    }
  return concatBytes(parts);
}

/** Bytes of pages per second each codec compresses on this thread (one CPU, as makedumpfile by default). */
export function measureCompressSpeeds(kernels: KernelExports, pages: Uint8Array, pageSize: number): Speeds['compress'] {
  const out = {} as Speeds['compress'];
  for (const codec of ['zlib', 'lzo', 'snappy', 'zstd'] as const) {
    const c = createCompressor(kernels, codec, pageSize);
    c.compress(pages);
    let bytes = 0;
    const t0 = performance.now();
    do {
      c.compress(pages);
      bytes += pages.length;
    } while (performance.now() - t0 < MIN_MS);
    out[`kdump-${codec}`] = bytes / ((performance.now() - t0) / 1000);
  }
  return out;
}
