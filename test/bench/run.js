#!/usr/bin/env node
// npm run bench [-- SECTION...]: vmsieve against makedumpfile on the same dump, in the same run, alternating.
// Sections: classify, export, codecs, memory, arch (all by default), browser (opt-in: needs npm run build:web). Prints medians and the ratio
// vmsieve throughput ÷ makedumpfile throughput (> 1 means vmsieve is faster), and peak RSS of both.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cache = join(root, '.cache/bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const sections = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const want = (s) => sections.length === 0 || sections.includes(s);
mkdirSync(cache, { recursive: true });

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Runs a command under GNU time; returns wall seconds and peak RSS in MiB. */
function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const last = r.stderr.trim().split('\n').pop();
  const [wall, rssKb] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return { wall, rssMiB: rssKb / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function ensureDump(name, args) {
  const file = join(cache, `${name}.vmcore`);
  if (!existsSync(file)) {
    console.log(`generating ${file} (${args.join(' ')}) …`);
    const r = spawnSync(process.execPath, [join(root, 'scripts/vmcore-gen.js'), '--out', file, ...args], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('vmcore generation failed');
  }
  return file;
}

const rows = [];
function compare(label, dump, mdfArgs, vmsArgs, outFile) {
  const bytes = statSync(dump).size;
  const mdf = [];
  const vms = [];
  for (let i = 0; i < RUNS; i++) {
    for (const [list, cmd, args] of [
      [mdf, 'makedumpfile', mdfArgs],
      [vms, process.execPath, [join(root, 'bin/vmsieve.js'), ...vmsArgs]],
    ]) {
      if (!cmd || !args) continue;
      if (outFile) rmSync(outFile, { force: true });
      list.push(timed(cmd, args));
    }
  }
  if (outFile) rmSync(outFile, { force: true });
  const m = mdf.length ? median(mdf.map((r) => r.wall)) : undefined;
  const v = median(vms.map((r) => r.wall));
  rows.push({
    case: label,
    'makedumpfile s': m?.toFixed(2) ?? '–',
    'vmsieve s': v.toFixed(2),
    'vmsieve MB/s': (bytes / 1e6 / v).toFixed(0),
    'ratio (vmsieve ÷ mdf throughput)': m ? (m / v).toFixed(2) : '–',
    'mdf RSS MiB': mdf.length ? Math.max(...mdf.map((r) => r.rssMiB)).toFixed(0) : '–',
    'vmsieve RSS MiB': Math.max(...vms.map((r) => r.rssMiB)).toFixed(0),
  });
}

console.log(`vmsieve bench: ${cpus().length} cores, ${RUNS} alternating runs each, medians`);
const hasMdf = which('makedumpfile');
if (!hasMdf) console.log('makedumpfile is not on PATH: only vmsieve is timed');
const sectionsOn4g = ['classify', 'export', 'codecs', 'browser'];
const dump = sectionsOn4g.some(want) ? ensureDump('bench-4g', ['--mem', '4096', '--content', 'realistic', '--seed', '7']) : undefined;
if (dump) console.log(`dump: ${dump} (${(statSync(dump).size / 2 ** 30).toFixed(2)} GiB)`);
const out = join(cache, 'out.dump');

if (want('classify')) {
  compare('--dry-run -d 31', dump, hasMdf && ['--dry-run', '-d', '31', dump, out], ['--dry-run', '-d', '31', dump, out]);
  // makedumpfile has no analyse mode: every page read, counts and kdump-none/ELF sizes exact, codecs from 1 page in 16.
  compare('--analyse --measure-every 16 (vmsieve only)', dump, false, ['--analyse', '--measure-every', '16', dump]);
}

if (want('export')) {
  for (const [label, args] of [
    ['-d 31 -c', ['-c', '-d', '31']],
    ['-d 31 -l', ['-l', '-d', '31']],
    ['-d 1 -c', ['-c', '-d', '1']],
    ['-E -d 31', ['-E', '-d', '31']],
  ]) compare(label, dump, hasMdf && [...args, dump, out], ['-f', ...args, dump, out], out);
  for (const [label, args] of [
    ['-d 31 -p (vmsieve only)', ['-p', '-d', '31']],
    ['-d 31 -z (vmsieve only)', ['-z', '-d', '31']],
  ]) compare(label, dump, false, ['-f', ...args, dump, out], out);
}

if (want('codecs')) {
  // makedumpfile's codecs end to end on the same dump, next to ours per core (the export section has these too).
  if (!want('export'))
    for (const [label, args] of [
      ['-d 31 -c', ['-c', '-d', '31']],
      ['-d 31 -l', ['-l', '-d', '31']],
    ]) compare(label, dump, hasMdf && [...args, dump, out], ['-f', ...args, dump, out], out);
  const r = spawnSync(process.execPath, [join(root, 'test/bench/codecs.js'), dump], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  for (const row of JSON.parse(r.stdout)) rows.push(row);
}

// Opt-in: needs `npm run build:web` and Chromium.
if (sections.includes('browser')) {
  const r = spawnSync(process.execPath, [join(root, 'test/bench/browser.js'), '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  for (const row of JSON.parse(r.stdout)) rows.push(row);
}

// arm64 beside x86_64: the largest real dump of each architecture in .cache/fixtures, classified and exported by
// vmsieve; time per page frame of the dump's PT_LOADs, so dumps of different sizes compare.
if (want('arch')) {
  const dir = join(root, '.cache/fixtures');
  const real = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.vmcore')).map((f) => join(dir, f)) : [];
  const described = real.map((file) => ({ file, info: JSON.parse(spawnSync(process.execPath, [join(root, 'bin/vmsieve.js'), '--info', '--json', file], { encoding: 'utf8' }).stdout) }));
  for (const arch of ['x86_64', 'arm64']) {
    const mine = described.filter((d) => d.info.arch === arch).sort((a, b) => b.info.fileSize - a.info.fileSize)[0];
    if (!mine) {
      console.log(`arch: no real ${arch} dump in ${dir} (the fixture setup decompresses ../shared/fixtures)`);
      continue;
    }
    const ps = mine.info.pageSize;
    const pages = mine.info.segments.reduce((n, s) => n + Math.ceil(s.physEnd / ps) - Math.floor(s.physStart / ps), 0);
    for (const [label, args] of [
      ['classify --dry-run -d 31', ['--dry-run', '-d', '31', mine.file, out]],
      ['export -c -d 31', ['-f', '-c', '-d', '31', mine.file, out]],
    ]) {
      const walls = [];
      for (let i = 0; i < RUNS; i++) walls.push(timed(process.execPath, [join(root, 'bin/vmsieve.js'), ...args]).wall);
      rmSync(out, { force: true });
      const v = median(walls);
      rows.push({ case: `${arch} ${label} (${mine.file.split('/').pop()}, ${pages} pages)`, 'vmsieve s': v.toFixed(2), 'vmsieve µs/page': ((v * 1e6) / pages).toFixed(2) });
    }
  }
}

if (want('memory')) {
  const big = ensureDump('sparse16g', ['--mem', '16384', '--seed', '5']);
  const r = timed(process.execPath, [join(root, 'bin/vmsieve.js'), '--dry-run', '-d', '31', big, out]);
  rows.push({ case: 'classify 16 GiB (sparse) -d 31', 'vmsieve s': r.wall.toFixed(2), 'vmsieve RSS MiB': r.rssMiB.toFixed(0) });
  for (const flag of ['-c', '-z']) {
    const e = timed(process.execPath, [join(root, 'bin/vmsieve.js'), '-f', flag, '-d', '31', big, out]);
    rows.push({ case: `export 16 GiB (sparse) ${flag} -d 31`, 'vmsieve s': e.wall.toFixed(2), 'vmsieve RSS MiB': e.rssMiB.toFixed(0) });
  }
  rmSync(out, { force: true });
}

console.table(rows);
