// What compressing the pages a level keeps costs on one core: the floor under vmsieve's -l and -c times on a dump.
// Classifies the dump (zero pages found), gathers windows of kept pages spread evenly over them, and times each
// codec's kernel on them as a compute worker runs it (PageCompute.measure, pages already in wasm memory).
import { dumpableBitmap } from '../../build/lib/filter/dump-level.js';
import { classifyDump, openVmcore } from '../../build/lib/index.js';
import { instantiateKernels } from '../../build/lib/wasm/kernels.js';
import { nodeWasmModule } from '../../build/lib/wasm/node-module.js';
import { PageCompute } from '../../build/lib/workers/page-compute.js';

const WINDOW_PAGES = 4096;

/** { keptBytes, perGB: { lzo, zlib, … } }: the bytes `level` keeps and each codec's seconds per GB of them on one core. */
export async function keptCodecSeconds(file, level, codecs = ['lzo', 'zlib'], windows = 8) {
  const vmcore = await openVmcore(file);
  try {
    const { dump, km, kernels } = await vmcore.input();
    const ps = dump.pageSize;
    const classified = await classifyDump(dump, km, kernels, { zeroScan: [level] });
    const bits = dumpableBitmap(classified, level);
    const kept = [];
    for (let p = 0; p < classified.maxPfn; p++) if ((bits[p >> 3] >> (p & 7)) & 1) kept.push(p);
    const n = Math.min(windows, Math.floor(kept.length / WINDOW_PAGES));
    if (n === 0) return { keptBytes: kept.length * ps, perGB: {} };
    const bufs = [];
    for (let w = 0; w < n; w++) {
      const first = Math.floor(((kept.length - WINDOW_PAGES) * w) / Math.max(1, n - 1));
      const pages = new Uint8Array(WINDOW_PAGES * ps);
      for (let i = 0; i < WINDOW_PAGES; i++) pages.set(await dump.readPhys(kept[first + i] * ps, ps), i * ps);
      bufs.push(pages);
    }
    const compute = new PageCompute(await instantiateKernels(await nodeWasmModule()), ps);
    const perGB = {};
    for (const codec of codecs) {
      await compute.measure(bufs[0].slice().buffer, [codec]);
      const t0 = performance.now();
      for (const b of bufs) await compute.measure(b.slice().buffer, [codec]);
      perGB[codec] = (performance.now() - t0) / 1000 / ((n * WINDOW_PAGES * ps) / 1e9);
    }
    return { keptBytes: kept.length * ps, perGB };
  } finally {
    await vmcore.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(JSON.stringify(await keptCodecSeconds(process.argv[2], Number(process.argv[3] ?? 31))));
