// What compressing the pages a level keeps costs on one core: the floor under vmsieve's -l and -c times on a dump.
// Classifies the dump (zero pages found), gathers windows of kept pages spread evenly over them, and times each
// codec's kernel alone on them, pages already in wasm memory, in calls as large as a compute worker makes: the
// worker's own costs (reading, zero scan, moving results) are not in it, so the floor is the codec's, not vmsieve's.
import { dumpableBitmap } from '../../build/lib/filter/dump-level.js';
import { classifyDump, openVmcore } from '../../build/lib/index.js';
import { createCompressor } from '../../build/lib/codecs/registry.js';
import { bytesAt, instantiateKernels } from '../../build/lib/wasm/kernels.js';
import { nodeWasmModule } from '../../build/lib/wasm/node-module.js';

const WINDOW_PAGES = 4096;
/** Pages per codec kernel call, as a compute worker makes them (page-compute.ts, 4 MiB of 4 KiB pages). */
const CALL_PAGES = 1024;

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
    const k = await instantiateKernels(await nodeWasmModule());
    const window = k.arenaAlloc(WINDOW_PAGES * ps) >>> 0;
    const perGB = {};
    for (const codec of codecs) {
      const c = createCompressor(k, codec, ps, CALL_PAGES);
      const sizes = new Uint32Array(CALL_PAGES);
      const compressWindow = () => {
        for (let at = 0; at < WINDOW_PAGES; at += CALL_PAGES) c.compressAtInto(window + at * ps, CALL_PAGES, undefined, sizes, 0);
      };
      bytesAt(k, window, bufs[0].length).set(bufs[0]);
      compressWindow();
      let seconds = 0;
      for (const b of bufs) {
        bytesAt(k, window, b.length).set(b);
        const t0 = performance.now();
        compressWindow();
        seconds += (performance.now() - t0) / 1000;
      }
      perGB[codec] = seconds / ((n * WINDOW_PAGES * ps) / 1e9);
    }
    return { keptBytes: kept.length * ps, perGB };
  } finally {
    await vmcore.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(JSON.stringify(await keptCodecSeconds(process.argv[2], Number(process.argv[3] ?? 31))));
