#!/usr/bin/env node
// Browser benchmark: the built app (dist/, `npm run build:web` first) in Debian's Chromium, on a 1 GiB synthetic dump.
//
//   node test/bench/browser.js [--json] [--runs N] [--workers N] [--headed] [--dump FILE] [--steps read,analyse,exact,export] [--no-map]
//
// Times, in the page: reading the whole file in a worker (Blob.slice(64 MiB).arrayBuffer() in a loop: the browser's read
// ceiling), Analyse (classify, read and zero-scan every page, compress a sample (16384 pages with LZO and snappy, 4096 with zlib and zstd): exact page counts,
// kdump-none and ELF sizes), the exact pass (every page through every codec), and Export -d 31 -c into OPFS (no save
// dialog: the FileSystemSyncAccessHandle path). Prints GB/s of the dump file (10^9 bytes/s) and each step ÷ read. Medians over --runs (BENCH_RUNS, default 3). --json prints the rows only, for test/bench/run.js.
// Then, on the 4 GiB dump of `npm run bench` (.cache/bench/bench-4g.vmcore; the 1 GiB one when it is absent): the level
// map's time to show another level and to draw one zoom step, and the longest main-thread task while Analyse runs.
// --dump times another file (the bench's 128 GiB ones: nothing of it is held in memory); --steps picks the steps;
// --no-map leaves the level-map timings out. Peak memory is the sum of the RSS of Chromium's processes, sampled
// from /proc every 100 ms while a step runs (shared pages count once per process: an upper bound).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createStaticServer } from '../../scripts/serve.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cache = join(root, '.cache/bench');
const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '3' },
    workers: { type: 'string' },
    headed: { type: 'boolean', default: false },
    dump: { type: 'string' },
    steps: { type: 'string', default: 'read,analyse,exact,export' },
    'no-map': { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(1, Number(opts.runs));
const log = (...a) => (opts.json ? console.error(...a) : console.log(...a));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const steps = new Set(opts.steps.split(','));

/** Sum of VmRSS (MiB) over the running Chromium processes. */
function chromiumRssMiB() {
  let kb = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!/^Name:\s+chrom/m.test(status)) continue;
      kb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // the process ended meanwhile
    }
  }
  return kb / 1024;
}

/** Runs `step`, sampling Chromium's memory meanwhile; returns its result and the peak. */
async function withPeak(step) {
  let peak = chromiumRssMiB();
  const timer = setInterval(() => (peak = Math.max(peak, chromiumRssMiB())), 100);
  try {
    return { value: await step(), peak: Math.max(peak, chromiumRssMiB()) };
  } finally {
    clearInterval(timer);
  }
}

function ensureDump() {
  mkdirSync(cache, { recursive: true });
  const file = join(cache, 'bench-1g.vmcore');
  if (!existsSync(file)) {
    log(`generating ${file} (--mem 1024 --content realistic --seed 9) …`);
    const r = spawnSync(process.execPath, [join(root, 'scripts/vmcore-gen.js'), '--out', file, '--mem', '1024', '--content', 'realistic', '--seed', '9'], {
      stdio: ['ignore', opts.json ? 'ignore' : 'inherit', 'inherit'],
    });
    if (r.status !== 0) throw new Error('vmcore generation failed');
  }
  return file;
}

/**
 * Opens `file`, waits for the level maps, then times (medians, ms) showing another level on the left map and one zoom
 * step, each from the input event to the canvas drawing the new view; then runs Analyse and reports the longest task
 * the main thread ran meanwhile (PerformanceObserver 'longtask').
 */
async function levelMapTimes(page, file) {
  await page.getByTestId('file-input').setInputFiles(file);
  await page.locator('[data-testid="level-map-a-canvas"] canvas[data-frame]').waitFor({ state: 'attached', timeout: 600_000 });
  const frameAfter = ({ act, value }) => {
    const box = document.querySelector('[data-testid="level-map-a-canvas"]');
    const canvas = box.querySelector('canvas');
    const before = canvas.dataset.frame;
    const done = new Promise((resolve) => {
      const mo = new MutationObserver(() => {
        if (canvas.dataset.frame !== before && (act !== 'level' || canvas.dataset.viewLevel === String(value))) {
          mo.disconnect();
          resolve();
        }
      });
      mo.observe(canvas, { attributes: true });
    });
    const t0 = performance.now();
    if (act === 'level') {
      const select = document.querySelector('[data-testid="compare-level-a"]');
      select.value = String(value);
      select.dispatchEvent(new Event('change', { bubbles: true }));
    } else box.dispatchEvent(new KeyboardEvent('keydown', { key: act, bubbles: true }));
    return done.then(() => performance.now() - t0);
  };
  const levelSwitch = [];
  for (const value of [1, 17, 8, 2, 30, 31]) levelSwitch.push(await page.evaluate(frameAfter, { act: 'level', value }));
  const zoomFrame = [];
  for (const act of ['+', '+', '+', '-', '-', '-']) zoomFrame.push(await page.evaluate(frameAfter, { act }));
  await page.evaluate(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  await page.getByTestId('analyse-button').click();
  await page.locator('[data-testid="export-status"][data-state="analysed"], [data-testid="export-status"][data-state="failed"]').waitFor({ state: 'attached', timeout: 600_000 });
  const longestTask = await page.evaluate(() => window.__longest);
  return { levelSwitch: median(levelSwitch), zoomFrame: median(zoomFrame), longestTask };
}

const dist = join(root, 'dist');
if (!existsSync(join(dist, 'index.html'))) {
  console.error('dist/ is missing: run `npm run build:web` first');
  process.exit(2);
}
const dump = opts.dump ?? ensureDump();
const size = statSync(dump).size;

const server = createStaticServer(dist);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: !opts.headed,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // Without a save dialog the app writes into OPFS through a sync access handle (what Firefox and Safari get).
  await page.addInitScript(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }));
  await page.route('**/sample.vmcore', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  await page.goto(base);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const workers = Number(opts.workers ?? cores);
  log(`browser bench: Chromium ${browser.version()}, ${cpus().length} cores (hardwareConcurrency ${cores}), ${workers} workers, ${RUNS} run(s) each, medians`);
  log(`dump: ${dump} (${(size / 2 ** 30).toFixed(2)} GiB)`);

  await page.getByTestId('file-input').setInputFiles(dump);
  await page.getByTestId('export-card').waitFor({ timeout: 120_000 });
  await page.getByTestId('export-workers').fill(String(workers));
  const clearOpfs = () =>
    page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      for await (const name of root.keys()) await root.removeEntry(name, { recursive: true });
    });
  await clearOpfs();

  // A second, bench-owned file input: the app clears its own after reading the file.
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'bench-file';
    input.hidden = true;
    document.body.append(input);
  });
  await page.locator('#bench-file').setInputFiles(dump);

  const times = { read: [], analyse: [], exact: [], export: [] };
  const peaks = { read: 0, analyse: 0, exact: 0, export: 0 };
  const timed = async (name, step) => {
    const { value, peak } = await withPeak(step);
    times[name].push(value);
    peaks[name] = Math.max(peaks[name], peak);
  };
  let outSize = 0;
  const status = page.getByTestId('export-status');
  for (let run = 0; run < RUNS; run++) {
    await timed('read', () =>
      page.evaluate(async () => {
        const file = document.querySelector('#bench-file').files[0];
        const src = `onmessage = async (e) => {
          const f = e.data, W = 64 << 20, t0 = performance.now();
          let n = 0;
          for (let o = 0; o < f.size; o += W) n += (await f.slice(o, o + W).arrayBuffer()).byteLength;
          postMessage({ bytes: n, ms: performance.now() - t0 });
        };`;
        const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
        const w = new Worker(url);
        try {
          const r = await new Promise((resolve, reject) => {
            w.onmessage = (e) => resolve(e.data);
            w.onerror = (e) => reject(new Error(e.message || 'read worker failed'));
            w.postMessage(file);
          });
          if (r.bytes !== file.size) throw new Error(`read ${r.bytes} of ${file.size} bytes`);
          return r.ms / 1000;
        } finally {
          w.terminate();
          URL.revokeObjectURL(url);
        }
      }),
    );

    if (steps.has('analyse') || steps.has('exact'))
      await timed('analyse', async () => {
        await page.getByTestId('analyse-button').click();
        await page.locator('[data-testid="export-status"][data-state="analysed"], [data-testid="export-status"][data-state="failed"]').waitFor({ state: 'attached', timeout: 3_600_000 });
        if ((await status.getAttribute('data-state')) !== 'analysed') throw new Error(`analyse failed: ${await page.getByTestId('error-panel').innerText()}`);
        return Number(await page.getByTestId('size-table').getAttribute('data-elapsed-ms')) / 1000;
      });
    if (steps.has('exact'))
      await timed('exact', async () => {
        await page.getByTestId('measure-exactly-button').click();
        await page.locator('[data-testid="size-table"][data-estimated="false"], [data-testid="export-status"][data-state="failed"]').waitFor({ state: 'attached', timeout: 3_600_000 });
        if ((await status.getAttribute('data-state')) !== 'analysed') throw new Error(`exact analyse failed: ${await page.getByTestId('error-panel').innerText()}`);
        return Number(await page.getByTestId('size-table').getAttribute('data-elapsed-ms')) / 1000;
      });
    if (steps.has('export'))
      await timed('export', async () => {
        await page.getByTestId('export-output').selectOption('kdump-zlib');
        await page.getByTestId('export-level').fill('31');
        await page.getByTestId('export-level').press('Tab');
        await page.getByTestId('export-button').click();
        await page.locator('[data-testid="export-status"][data-state="exported"], [data-testid="export-status"][data-state="failed"]').waitFor({ state: 'attached', timeout: 3_600_000 });
        if ((await status.getAttribute('data-state')) !== 'exported') throw new Error(`export failed: ${await page.getByTestId('error-panel').innerText()}`);
        const result = page.getByTestId('export-result');
        outSize = Number(await result.getAttribute('data-size'));
        await clearOpfs();
        return Number(await result.getAttribute('data-elapsed-ms')) / 1000;
      });
    log(`run ${run + 1}: ${Object.entries(times).filter(([, t]) => t.length > run).map(([k, t]) => `${k} ${t.at(-1).toFixed(2)} s`).join(', ')}`);
  }

  const gbps = (sec) => (size / 1e9 / sec).toFixed(2);
  const r = median(times.read);
  const name = `${dump.split('/').pop()} (${(size / 2 ** 30).toFixed(1)} GiB)`;
  const GOALS = { analyse: 0.9, exact: 0.5, export: 0.9 };
  const LABELS = {
    analyse: `browser: analyse, every page read, a sample compressed (${workers} workers)`,
    exact: `browser: exact pass, every page through every codec (${workers} workers)`,
    export: `browser: export -d 31 -c to OPFS (${workers} workers, ${(outSize / 1e6).toFixed(0)} MB out)`,
  };
  const rows = [{ case: 'browser: read the whole file in a worker (64 MiB slices)', dump: name, 'vmsieve s': r.toFixed(2), ratio: '1.00', goal: '–', met: '', 'vmsieve RSS MiB': peaks.read.toFixed(0), 'GB/s': gbps(r) }];
  const bounds = [];
  for (const step of ['analyse', 'exact', 'export']) {
    if (times[step].length === 0) continue;
    const t = median(times[step]);
    const ratio = r / t;
    const met = ratio >= GOALS[step];
    rows.push({ case: LABELS[step], dump: name, 'vmsieve s': t.toFixed(2), ratio: ratio.toFixed(2), goal: `≥ ${GOALS[step]}× read`, met: met ? 'yes' : 'NO', 'vmsieve RSS MiB': peaks[step].toFixed(0), 'GB/s': gbps(t) });
    if (!met) bounds.push(`${LABELS[step]} on ${name}: ${t.toFixed(2)} s against ${r.toFixed(2)} s to read the file (${gbps(r)} GB/s) in one worker; ${cores} cores for ${workers} compute workers and the page's own threads`);
  }
  if (!opts['no-map']) {
    const big = existsSync(join(cache, 'bench-4g.vmcore')) ? join(cache, 'bench-4g.vmcore') : dump;
    const map = await levelMapTimes(page, big);
    log(`level map on ${big}: level switch ${map.levelSwitch.toFixed(0)} ms, zoom frame ${map.zoomFrame.toFixed(0)} ms, longest main-thread task during Analyse ${map.longestTask.toFixed(0)} ms`);
    const bigName = `${big.split('/').pop()} (${(statSync(big).size / 2 ** 30).toFixed(0)} GiB)`;
    rows.push(
      { case: 'browser: level map, show another level', dump: bigName, 'vmsieve s': (map.levelSwitch / 1000).toFixed(3) },
      { case: 'browser: level map, one zoom step drawn', dump: bigName, 'vmsieve s': (map.zoomFrame / 1000).toFixed(3) },
      { case: 'browser: longest main-thread task while analysing', dump: bigName, 'vmsieve s': (map.longestTask / 1000).toFixed(3) },
    );
  }
  if (opts.json) console.log(JSON.stringify({ rows, bounds }));
  else {
    console.table(rows);
    for (const b of bounds) console.log(`- ${b}`);
  }
} finally {
  await browser.close();
  server.close();
}
