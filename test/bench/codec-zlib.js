// Micro benchmark: our AssemblyScript zlib page compressor vs node:zlib deflateSync level 1, per 4 KiB page,
// one core. Run after `npm run build:lib`:   node test/bench/codec-zlib.js [--seconds 1.5]
//
// Corpora (4 KiB pages, no zero pages — the zero scan removes those before compression):
//   vmcore  non-zero pages spread over every .cache/fixtures/*.vmcore (real kernel memory), if present
//   text    C headers from /usr/include          elf     shared objects from /usr/lib/x86_64-linux-gnu
//   random  pseudo-random bytes                  mixed   50% random, 25% text, 25% elf, shuffled (ecosystem.md §4.3)
// MB/s = input bytes per CPU second of this process (process.cpuUsage, so load from other processes does
// not dilute it), best of 5 rounds; both codecs run in this one thread. The "ours" figure includes the
// facade's copies into and out of wasm memory. ratio = Σ stored / input, where a page is stored raw when its
// zlib stream is not smaller (makedumpfile's rule, applied to both codecs).
import { readdirSync, readFileSync, statSync, existsSync, openSync, readSync, fstatSync, closeSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { createCompressor, storedLength } = await import(join(root, 'build/lib/codecs/registry.js'));
const { instantiateKernels } = await import(join(root, 'build/lib/wasm/kernels.js'));
const { nodeWasmModule } = await import(join(root, 'build/lib/wasm/node-module.js'));

const PS = 4096;
const secArg = process.argv.indexOf('--seconds');
const SECONDS = secArg > 0 ? Number(process.argv[secArg + 1]) : 1.5;

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

function isZero(p) {
  for (let i = 0; i < p.length; i++) if (p[i] !== 0) return false;
  return true;
}

/** Non-zero pages of the files under `dir` matching `filter`, up to `limit` pages. */
function filePages(dir, filter, limit, recurse = true) {
  const pages = [];
  const walk = (d) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    for (const e of entries) {
      if (pages.length >= limit) return;
      const p = join(d, e.name);
      if (e.isDirectory() && recurse) walk(p);
      else if (e.isFile() && filter(e.name)) {
        let buf;
        try {
          if (statSync(p).size > 64 << 20) continue;
          buf = readFileSync(p);
        } catch {
          continue;
        }
        for (let off = 0; off + PS <= buf.length && pages.length < limit; off += PS) {
          const page = buf.subarray(off, off + PS);
          if (!isZero(page)) pages.push(page);
        }
      }
    }
  };
  walk(dir);
  return pages;
}

function vmcorePages(limitPerFile) {
  const dir = join(root, '.cache/fixtures');
  if (!existsSync(dir)) return [];
  const pages = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.vmcore')).sort()) {
    const fd = openSync(join(dir, f), 'r');
    const total = Math.floor((fstatSync(fd).size - 65536) / PS);
    const stride = Math.max(1, Math.floor(total / (limitPerFile * 2)));
    let kept = 0;
    for (let i = 0; i < total && kept < limitPerFile; i += stride) {
      const page = new Uint8Array(PS);
      readSync(fd, page, 0, PS, 65536 + i * PS);
      if (!isZero(page)) {
        pages.push(page);
        kept++;
      }
    }
    closeSync(fd);
  }
  return pages;
}

function concat(pages) {
  const out = new Uint8Array(pages.length * PS);
  pages.forEach((p, i) => out.set(p, i * PS));
  return out;
}

function shuffle(arr, r) {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = r() % (i + 1);
    [arr[i], arr[j]] = [arr[j], arr[i]];
  }
  return arr;
}

const N = 2048; // 8 MiB per corpus
const r = rng(1);
const text = filePages('/usr/include', (n) => n.endsWith('.h'), N);
const elf = filePages('/usr/lib/x86_64-linux-gnu', (n) => /\.so(\.|$)/.test(n), N, false);
const random = Array.from({ length: N }, () => {
  const p = new Uint8Array(PS);
  for (let i = 0; i < PS; i++) p[i] = r() & 255;
  return p;
});
const mixed = shuffle([...random.slice(0, N / 2), ...text.slice(0, N / 4), ...elf.slice(0, N / 4)], r);
const corpora = [
  ['vmcore', vmcorePages(Math.ceil(N / 3))],
  ['mixed', mixed],
  ['text', text],
  ['elf', elf],
  ['random', random],
].filter(([, p]) => p.length > 0);

/** CPU time of this process in ms: per-core throughput that other load on the machine does not dilute. */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs fn repeatedly for ~SECONDS of CPU time, in 5 rounds; returns the best round's MB/s per core. */
function rate(bytes, fn) {
  fn(); // warm-up (and wasm tier-up)
  let best = 0;
  for (let round = 0; round < 5; round++) {
    let n = 0;
    const t0 = cpuMs();
    let t = t0;
    do {
      fn();
      n++;
      t = cpuMs();
    } while (t - t0 < (SECONDS * 1000) / 5);
    best = Math.max(best, (bytes * n) / ((t - t0) / 1000) / 1e6);
  }
  return best;
}

const ours = createCompressor(await instantiateKernels(await nodeWasmModule()), 'zlib', PS, 1024);
console.log(`zlib per ${PS}-byte page, one core, Node ${process.versions.node} (MB/s of input per CPU second, best of 5 × ${(SECONDS / 5).toFixed(2)} s)`);
console.log('corpus   pages   ours MB/s  node:zlib-1 MB/s  speed×   ours ratio  node ratio  size ours/node');
let sumOurs = 0;
let sumNode = 0;
for (const [name, pages] of corpora) {
  const all = concat(pages);
  const bytes = all.length;
  const { sizes } = ours.compress(all);
  let stored = 0;
  for (const w of sizes) stored += storedLength(w);
  let ref = 0;
  for (const p of pages) ref += Math.min(deflateSync(p, { level: 1 }).length, PS);
  const oursRate = rate(bytes, () => ours.compress(all));
  const opts = { level: 1 };
  const nodeRate = rate(bytes, () => {
    for (const p of pages) deflateSync(p, opts);
  });
  if (name === 'vmcore' || name === 'mixed') {
    sumOurs += stored;
    sumNode += ref;
  }
  console.log(
    `${name.padEnd(8)} ${String(pages.length).padStart(5)}   ${oursRate.toFixed(1).padStart(9)}  ${nodeRate.toFixed(1).padStart(16)}  ${(oursRate / nodeRate).toFixed(2).padStart(6)}   ${(stored / bytes).toFixed(4).padStart(10)}  ${(ref / bytes).toFixed(4).padStart(10)}  ${(stored / ref).toFixed(4).padStart(14)}`,
  );
}
console.log(`vmcore+mixed total size, ours / node:zlib level 1: ${(sumOurs / sumNode).toFixed(4)}`);
