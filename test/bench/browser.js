#!/usr/bin/env node
// Browser benchmark: the built app (dist/, `npm run build:web` first) in Debian's Chromium, on a 1 GiB synthetic dump
// or on --dump FILE (any size: nothing holds the whole file; each step may take up to a minute per GB).
//
//   node test/bench/browser.js [--json] [--runs N] [--workers N] [--headed] [--dump FILE]... [--steps read,map,analyse,exact,export] [--no-map]
//
// --dump given more than once: the files of one makedumpfile --split set, opened together (the read step reads them all).
// The map step opens the file again and times it from the choice to the page-class map drawn (classification and
// the zero scan of every page -d 31 keeps).
// Times, in the page: reading the whole file in a worker (Blob.slice(64 MiB).arrayBuffer() in a loop: the browser's read
// ceiling), Analyse (classify, read and zero-scan every page, compress a sample (16384 pages with LZO and snappy, 4096 with zlib and zstd): exact page counts,
// kdump-none and ELF sizes), the exact pass (every page through every codec), and Export -d 31 -c into OPFS (no save
// dialog: the FileSystemSyncAccessHandle path). Prints each step's seconds and its ratio to the read (median over runs of that run's read s ÷ step s). Medians over --runs (BENCH_RUNS, default 3). --json prints { rows, bounds } only, for test/bench/run.js.
// Each row says the step's goal (issue 15: analyse and export ≥ 0.9× of read, the exact pass ≥ 0.5×), whether it was
// met and, when not, what bounds it: the exact pass by its codec CPU (each codec's s/GB on one core, measured in Node's
// V8 on windows spread over the same file, × GB ÷ workers). 'peak MiB' is the largest sum of the RSS of Chromium's
// processes (from /proc, every 100 ms) while the step ran; pages shared between processes count once per process.
// Then (not with --dump or --no-map), on the 4 GiB dump of `npm run bench` (.cache/bench/bench-4g.vmcore; the 1 GiB one when it is absent): the level
// map's time to show another level and to draw one zoom step, and the longest main-thread task while Analyse runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createStaticServer } from '../../scripts/serve.js';
import { codecSecondsPerGB } from './codec-cpu.js';
import { decodeSeconds } from './decode-cpu.js';
import { BENCH_1G } from './dumps.js';
import { countDescendantsCpu } from './proc-cpu.js';
import { sampleDescendantsRss } from './proc-rss.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cache = join(root, '.cache/bench');
const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '3' },
    workers: { type: 'string' },
    headed: { type: 'boolean', default: false },
    dump: { type: 'string', multiple: true },
    steps: { type: 'string', default: 'read,analyse,exact,export' },
    map: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const RUNS = Math.max(1, Number(opts.runs));
/** The read always runs: every other step is measured against it. The exact pass follows Analyse in the page. */
const steps = new Set(['read', ...opts.steps.split(',')]);
for (const s of steps) if (!['read', 'map', 'analyse', 'exact', 'export'].includes(s)) throw new Error(`--steps: no step ${s}`);
if (steps.has('exact') && !steps.has('analyse')) throw new Error('--steps: exact needs analyse');
const log = (...a) => (opts.json ? console.error(...a) : console.log(...a));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function ensureDump() {
  mkdirSync(cache, { recursive: true });
  const file = join(cache, 'bench-1g.vmcore');
  if (!existsSync(file)) {
    log(`generating ${file} (${BENCH_1G.join(' ')}) …`);
    const r = spawnSync(process.execPath, [join(root, 'scripts/vmcore-gen.js'), '--out', file, ...BENCH_1G], {
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
  await page.locator('[data-testid="level-map-canvas"] canvas[data-frame]').waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
  // The quick analysis that starts by itself once the map is drawn ends first: the views are timed on a quiet page.
  await page.locator('[data-testid="export-status"][data-state="analysed"]').waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
  const frameAfter = ({ act, value }) => {
    const box = document.querySelector('[data-testid="level-map-canvas"]');
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
  await page.locator('[data-testid="export-status"][data-state="analysed"], [data-testid="export-status"][data-state="failed"]').waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
  const longestTask = await page.evaluate(() => window.__longest);
  return { levelSwitch: median(levelSwitch), zoomFrame: median(zoomFrame), longestTask };
}

const dist = join(root, 'dist');
if (!existsSync(join(dist, 'index.html'))) {
  console.error('dist/ is missing: run `npm run build:web` first');
  process.exit(2);
}
const files = opts.dump?.length ? opts.dump.map((f) => resolve(f)) : [ensureDump()];
/** The first file: the one whose pages the codec CPU figures are measured on. */
const dump = files[0];
const size = files.reduce((n, f) => n + statSync(f).size, 0);
/** Long enough for the slowest step on a huge dump (a minute per GB), never under ten minutes. */
const STEP_TIMEOUT = Math.max(600_000, Math.ceil(size / 1e9) * 60_000);

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
  const { cores, isolated } = await page.evaluate(() => ({ cores: navigator.hardwareConcurrency, isolated: crossOriginIsolated }));
  const workers = Number(opts.workers ?? cores);
  log(`browser bench: Chromium ${browser.version()}, ${cpus().length} cores (hardwareConcurrency ${cores}), crossOriginIsolated ${isolated}, ${workers} workers, ${RUNS} run(s) each, medians`);
  log(`dump: ${files.join(', ')} (${(size / 2 ** 30).toFixed(2)} GiB)`);

  await page.getByTestId('file-input').setInputFiles(files);
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
    input.multiple = true;
    input.id = 'bench-file';
    input.hidden = true;
    document.body.append(input);
  });
  await page.locator('#bench-file').setInputFiles(files);

  const peak = { read: 0, map: 0, analyse: 0, exact: 0, exported: 0 };
  /** Each run's CPU seconds by Chromium process type while the step ran. */
  const cpuUsed = { read: [], map: [], analyse: [], exact: [], exported: [] };
  /** Runs one step while sampling Chromium's RSS and counting its CPU time; keeps the step's peak over the runs. */
  const sampled = async (step, run) => {
    // Chromium runs as this process's child, with its renderer, GPU and utility processes under it.
    const stop = sampleDescendantsRss(process.pid);
    const cpuSince = countDescendantsCpu(process.pid);
    try {
      return await run();
    } finally {
      peak[step] = Math.max(peak[step], stop());
      cpuUsed[step].push(cpuSince());
    }
  };
  /** Clicks the button and waits, sampling Chromium's RSS, until `done` shows up or the step fails. */
  const clickUntil = (step, button, done, state) =>
    sampled(step, async () => {
      await page.getByTestId(button).click();
      await page.locator(`${done}, [data-testid="export-status"][data-state="failed"]`).waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
      if ((await page.getByTestId('export-status').getAttribute('data-state')) !== state) throw new Error(`${step} failed: ${await page.getByTestId('error-panel').innerText()}`);
    });
  /** Reads the whole file (every file of a split set) in a worker, 64 MiB slices one after another: the browser's own read speed of it. */
  const readInWorker = async () => {
    const file = [...document.querySelector('#bench-file').files];
    const src = `onmessage = async (e) => {
      const W = 64 << 20, t0 = performance.now();
      let n = 0;
      for (const f of e.data) for (let o = 0; o < f.size; o += W) n += (await f.slice(o, o + W).arrayBuffer()).byteLength;
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
      const size = file.reduce((n, f) => n + f.size, 0);
      if (r.bytes !== size) throw new Error(`read ${r.bytes} of ${size} bytes`);
      return r.ms / 1000;
    } finally {
      w.terminate();
      URL.revokeObjectURL(url);
    }
  };
  log(`Chromium's processes before the first step: ${sampleDescendantsRss(process.pid)().toFixed(0)} MiB RSS`);
  const times = { read: [], map: [], analyse: [], exact: [], exported: [] };
  /** Opens the file again, from the choice to the page-class map drawn (wall time seen from here: the page keeps no figure of it). */
  const openUntilMap = () =>
    sampled('map', async () => {
      const t0 = performance.now();
      await page.getByTestId('file-input').setInputFiles(files);
      await page.locator('[data-testid="class-map"], [data-testid="error-panel"]').first().waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
      if (await page.getByTestId('error-panel').count()) throw new Error(`open failed: ${await page.getByTestId('error-panel').innerText()}`);
      const s = (performance.now() - t0) / 1000;
      await page.getByTestId('export-workers').fill(String(workers));
      return s;
    });
  let outSize = 0;
  let keptPages = 0;
  for (let run = 0; run < RUNS; run++) {
    times.read.push(await sampled('read', () => page.evaluate(readInWorker)));
    if (steps.has('map')) times.map.push(await openUntilMap());
    if (steps.has('analyse')) {
      await clickUntil('analyse', 'analyse-button', '[data-testid="export-status"][data-state="analysed"]', 'analysed');
      times.analyse.push(Number(await page.getByTestId('size-table').getAttribute('data-elapsed-ms')) / 1000);
    }
    if (steps.has('exact')) {
      await clickUntil('exact', 'measure-exactly-button', '[data-testid="size-table"][data-estimated="false"]', 'analysed');
      times.exact.push(Number(await page.getByTestId('size-table').getAttribute('data-elapsed-ms')) / 1000);
    }
    if (steps.has('export')) {
      await page.getByTestId('export-output').selectOption('kdump-zlib');
      await page.getByTestId('export-level').fill('31');
      await page.getByTestId('export-level').press('Tab');
      await clickUntil('exported', 'export-button', '[data-testid="export-status"][data-state="exported"]', 'exported');
      const result = page.getByTestId('export-result');
      times.exported.push(Number(await result.getAttribute('data-elapsed-ms')) / 1000);
      outSize = Number(await result.getAttribute('data-size'));
      keptPages = Number(await result.getAttribute('data-kept-pages'));
      await clearOpfs();
    }
    log(`run ${run + 1}: ${Object.entries(times).filter(([, t]) => t.length > run).map(([k, t]) => `${k} ${t.at(-1).toFixed(2)} s`).join(', ')}`);
  }

  // Other work on the machine slows every step and the read alike, but not by the same share: say how busy it was.
  log(`load average after the steps: ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} cores`);
  const r = median(times.read);
  const gb = size / 1e9;
  log('codec CPU on one core (Node V8, 16 windows of 16 MiB spread over the dump) …');
  const cpu = await codecSecondsPerGB(dump, size);
  const zeroScanCpu = (cpu.zeroScan * gb) / workers;
  const exactCpu = ((cpu.zeroScan + cpu.lzo + cpu.snappy + cpu.zlib + cpu.zstd) * gb) / workers;
  const perCodec = ['lzo', 'snappy', 'zlib', 'zstd'].map((c) => `${c} ${cpu[c].toFixed(2)}`).join(' + ');
  const rows = [];
  const bounds = [];
  /** A step's median time and its ratio to the read of the same run (the machine's load drifts between runs). */
  const row = (name, step, goal, bound) => {
    const s = median(times[step]);
    const ratio = median(times[step].map((t, i) => times.read[i] / t));
    const met = goal === undefined ? '' : ratio >= goal ? 'yes' : 'no';
    if (met === 'no') bounds.push(`${name}: ${ratio.toFixed(2)}× of read, goal ${goal}×: ${bound(s)}`);
    rows.push({
      case: name,
      'browser s': s.toFixed(2),
      'read s': r.toFixed(2),
      'ratio (÷ read)': ratio.toFixed(2),
      goal: goal === undefined ? '' : `≥ ${goal}`,
      met,
      bound: met === 'no' ? bound(s) : '',
      'peak MiB': peak[step].toFixed(0),
    });
  };
  const machineCores = cpus().length;
  /** What Chromium's processes did with the machine's cores during the step (medians over runs). */
  const cpuShare = (step, s) => {
    const m = (k) => median(cpuUsed[step].map((c) => c[k]));
    const total = m('browser') + m('renderer') + m('other');
    const read = median(cpuUsed.read.map((c) => c.browser + c.renderer + c.other));
    return `Chromium's processes used ${total.toFixed(2)} CPU s (the whole file's read: ${read.toFixed(2)}) in its ${s.toFixed(2)} s, ${((100 * total) / (s * machineCores)).toFixed(0)}% of ${machineCores} cores: the browser process ${m('browser').toFixed(2)} s (it serves every Blob read), the renderer ${m('renderer').toFixed(2)} s (the page, its dump worker and compute workers)`;
  };
  // A kdump-compressed input's pages are decoded before anything else: that CPU (on one core) bounds every step.
  const decode = await decodeSeconds(files);
  const decodeBound = decode.pages ? `; decoding its ${decode.pages} stored pages takes ${decode.seconds.toFixed(2)} CPU s on one core (Node V8, the page's decoders), ${(decode.seconds / workers).toFixed(2)} s on ${workers}` : '';
  // On a compressed input the codec figures (measured on the file's bytes as if they were pages) say nothing.
  const beyondRead = (step) => (s) =>
    `the read ${r.toFixed(2)} s${decode.pages ? ' is' : ` and the zero-scan CPU ${zeroScanCpu.toFixed(2)} s (${workers} workers) are`} below it${decodeBound}; ${cpuShare(step, s)}`;
  const pageBytes = Number((await page.getByTestId('fact-page-size').locator('xpath=following-sibling::dd[1]').innerText()).replace(/\D/g, ''));
  const exportBound = (s) => (decode.pages ? beyondRead('exported')(s) : `${beyondRead('exported')(s)}; zlib alone on the ${((keptPages * pageBytes) / 1e6).toFixed(0)} MB of kept pages takes ${((cpu.zlib * keptPages * pageBytes) / 1e9).toFixed(2)} CPU s at Node's speed`);
  const name = `${files.map((f) => f.split('/').pop()).join(' + ')}, ${(size / 2 ** 30).toFixed(2)} GiB`;
  row(`browser: read whole file in a worker (64 MiB slices; ${name})`, 'read');
  if (steps.has('map')) row(`browser: open until the page-class map is drawn (${name})`, 'map', 0.9, beyondRead('map'));
  if (steps.has('analyse')) row(`browser: analyse, every page read, a sample compressed (${workers} workers; ${name})`, 'analyse', 0.9, beyondRead('analyse'));
  if (steps.has('exact'))
    row(
      `browser: analyse, every page compressed with every codec (${workers} workers; ${name})`,
      'exact',
      0.5,
      (s) => `codec CPU: zero scan ${cpu.zeroScan.toFixed(2)} + ${perCodec} s/GB on one core (Node V8) × ${gb.toFixed(2)} GB ÷ ${workers} workers = ${exactCpu.toFixed(2)} s, so at most ${(r / exactCpu).toFixed(2)}× of read with ${workers} cores; ${cpuShare('exact', s)}`,
    );
  if (steps.has('export')) row(`browser: export -d 31 -c to OPFS (${workers} workers, ${(outSize / 1e6).toFixed(0)} MB out; ${name})`, 'exported', 0.9, exportBound);

  if (opts.map && !opts.dump) {
    const big = existsSync(join(cache, 'bench-4g.vmcore')) ? join(cache, 'bench-4g.vmcore') : dump;
    const map = await levelMapTimes(page, big);
    log(`level map on ${big}: level switch ${map.levelSwitch.toFixed(0)} ms, zoom frame ${map.zoomFrame.toFixed(0)} ms, longest main-thread task during Analyse ${map.longestTask.toFixed(0)} ms`);
    const gib = (statSync(big).size / 2 ** 30).toFixed(0);
    const timing = (what, ms) => rows.push({ case: `browser: ${what} (${gib} GiB dump)`, 'browser s': (ms / 1000).toFixed(3), 'read s': '', 'ratio (÷ read)': '', goal: '', met: '', bound: '', 'peak MiB': '' });
    timing('level map, show another level', map.levelSwitch);
    timing('level map, one zoom step drawn', map.zoomFrame);
    timing('longest main-thread task while analysing', map.longestTask);
  }
  if (opts.json) console.log(JSON.stringify({ rows, bounds }));
  else {
    console.table(rows);
    if (bounds.length) console.log(`What bounds the missed goals:\n${bounds.map((b) => `- ${b}`).join('\n')}`);
  }
} finally {
  await browser.close();
  server.close();
}
