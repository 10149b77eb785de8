// What the exact pass costs in codec CPU: one core (Node's V8, the engine Chromium runs the same wasm on) compressing
// windows spread over the dump with each codec in turn, as PageCompute.measure does for the page.
import { open } from 'node:fs/promises';
import { instantiateKernels } from '../../build/lib/wasm/kernels.js';
import { nodeWasmModule } from '../../build/lib/wasm/node-module.js';
import { PageCompute } from '../../build/lib/workers/page-compute.js';

const WINDOW = 16 << 20;

/**
 * Seconds per GB of dump file for each codec (and for the zero scan alone) on one core, from `windows` windows of
 * 16 MiB spread evenly over the file (fewer on a small file). Zero pages are skipped as in the exact pass, so a sparse
 * dump costs what its data costs.
 */
export async function codecSecondsPerGB(file, size, pageSize = 4096, windows = 16) {
  const compute = new PageCompute(await instantiateKernels(await nodeWasmModule()), pageSize, undefined, 1, WINDOW);
  const fh = await open(file, 'r');
  const bufs = [];
  try {
    const n = Math.max(1, Math.min(windows, Math.floor(size / WINDOW)));
    for (let i = 0; i < n; i++) {
      const at = Math.floor(((size - WINDOW) * i) / Math.max(1, n - 1) / pageSize) * pageSize;
      const b = Buffer.alloc(WINDOW);
      await fh.read(b, 0, WINDOW, Math.max(0, at));
      bufs.push(b);
    }
  } finally {
    await fh.close();
  }
  const bytes = bufs.length * WINDOW;
  const copy = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  const timeIt = async (work) => {
    const t0 = performance.now();
    for (const b of bufs) await work(copy(b));
    return (performance.now() - t0) / 1000;
  };
  const base = await timeIt((pages) => compute.scanZero(pages));
  const out = { zeroScan: (base / bytes) * 1e9 };
  for (const codec of ['lzo', 'snappy', 'zlib', 'zstd']) out[codec] = (Math.max(0, (await timeIt((pages) => compute.measure(pages, [codec]))) - base) / bytes) * 1e9;
  return out;
}
