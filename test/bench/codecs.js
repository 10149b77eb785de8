// Per-codec speed on one core and compressed ratio, on non-zero pages sampled across a dump:
// vmsieve's AssemblyScript codecs next to node:zlib level 1 (native zlib). Prints JSON rows for run.js.
// 'MB/s per core' is the compressor facade (copies into and out of wasm memory included);
// 'kernel MB/s' is the wasm kernel alone, pages already in wasm memory, batches of 1024 pages.
import { openSync, readSync, fstatSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { createCompressor, CODECS } from '../../build/lib/codecs/registry.js';
import { instantiateKernels } from '../../build/lib/wasm/kernels.js';
import { nodeWasmModule } from '../../build/lib/wasm/node-module.js';

const PS = 4096;
const PAGES = 16384;
const fd = openSync(process.argv[2], 'r');
const size = fstatSync(fd).size;
const pages = new Uint8Array(PAGES * PS);
let n = 0;
const step = Math.max(PS, Math.floor(size / (PAGES * 4) / PS) * PS);
for (let at = 64 * 1024; n < PAGES && at + PS <= size; at += step) {
  const page = pages.subarray(n * PS, (n + 1) * PS);
  readSync(fd, page, 0, PS, at);
  if (page.some((b) => b !== 0)) n++;
}
const input = pages.subarray(0, n * PS);

function time(fn) {
  fn();
  const t0 = process.cpuUsage();
  let reps = 0;
  const start = performance.now();
  while (performance.now() - start < 1500) {
    fn();
    reps++;
  }
  const cpu = process.cpuUsage(t0);
  return (input.length * reps) / ((cpu.user + cpu.system) / 1e6) / 1e6;
}

const rows = [];
const k = await instantiateKernels(await nodeWasmModule());
const compressors = CODECS.map((codec) => createCompressor(k, codec, PS)); // (zlib's facade runs zlibInit)
const BATCH = 1024;
const kIn = k.arenaAlloc(input.length) >>> 0;
const kOut = k.arenaAlloc(BATCH * PS) >>> 0;
const kSizes = k.arenaAlloc(BATCH * 4) >>> 0;
new Uint8Array(k.memory.buffer, kIn, input.length).set(input);
CODECS.forEach((codec, i) => {
  const c = compressors[i];
  let stored = 0;
  const mbs = time(() => {
    stored = 0;
    const r = c.compress(input);
    for (const w of r.sizes) stored += w & 0x7fffffff;
  });
  const kernel = k[`${codec}CompressPages`];
  const kernelMbs = time(() => {
    for (let p = 0; p < n; p += BATCH) kernel(kIn + p * PS, Math.min(BATCH, n - p), PS, kOut, BATCH * PS, kSizes);
  });
  rows.push({
    case: `codec ${codec} (vmsieve, AssemblyScript)`,
    'MB/s per core': mbs.toFixed(0),
    'kernel MB/s': kernelMbs.toFixed(0),
    ratio: (stored / input.length).toFixed(3),
    pages: n,
  });
});
let nativeStored = 0;
const native = time(() => {
  nativeStored = 0;
  for (let p = 0; p < n; p++) nativeStored += Math.min(PS, deflateSync(input.subarray(p * PS, (p + 1) * PS), { level: 1 }).length);
});
rows.push({ case: 'codec zlib (node:zlib level 1, native)', 'MB/s per core': native.toFixed(0), ratio: (nativeStored / input.length).toFixed(3), pages: n });
process.stdout.write(JSON.stringify(rows));
