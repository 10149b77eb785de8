/**
 * vmsieve's own classification → writer, through the CLI, against makedumpfile's recorded outputs
 * (sha256 in the fixtures' oracle JSON) and against the real readers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { oneOfEachLayout, type RealFixture, realFixtures, realFixturesSkipReason, repoRoot } from '../helpers/fixtures.js';
import { CODEC_FLAGS, hasReaders, PY, reportLines, sha256, type MatrixRun } from '../helpers/oracle-outputs.js';

const skip = realFixturesSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'vmsieve-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe.skipIf(skip)(`vmsieve output vs makedumpfile's on real dumps${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const plainCases = realFixtures().flatMap((f) =>
    (f.oracle.matrix as MatrixRun[])
      .filter((m) => (m.format_requested === 'kdump-uncompressed' && [0, 1, 31].includes(m.dump_level)) || (m.format_requested === 'elf' && m.dump_level === 31))
      .map((m) => [f.name, m.format_requested, m.dump_level, f.vmcore, m.output_sha256, f] as const),
  );

  it.each(plainCases)('%s %s -d %i is byte-identical to makedumpfile', async (_name, format, level, vmcore, want, f) => {
    const out = join(dir, `plain-${format}-${level}`);
    const r = vmsieve([...(format === 'elf' ? ['-E'] : []), '-d', String(level), vmcore, out]);
    // A kernel built without CONFIG_MEMORY_FAILURE (riscv64 here) writes no NUMBER(PG_hwpoison): vmsieve says so.
    const noHwpoison = !/^NUMBER\(PG_hwpoison\)=/m.test(f.oracle.vmcoreinfo_text);
    const unexplained = (noHwpoison ? r.stderr.replace(/vmsieve: warning: VMCOREINFO lacks NUMBER\(PG_hwpoison\).*\n/, '') : r.stderr).replace(/vmsieve: note: .*\n/g, '');
    expect(unexplained).toBe('');
    expect(r.status).toBe(0);
    expect(await sha256(out)).toBe(want);
    rmSync(out);
  });

  it('-c with two workers is byte-identical to one worker; the report matches makedumpfile', async () => {
    const f = realFixtures()[0];
    const a = join(dir, 'c2');
    const b = join(dir, 'c1');
    const r2 = vmsieve(['-c', '-d', '31', '--num-threads', '2', '--show-stats', f.vmcore, a]);
    const r1 = vmsieve(['-c', '-d', '31', '--num-threads', '1', f.vmcore, b]);
    expect([r2.status, r1.status]).toEqual([0, 0]);
    expect(await sha256(a)).toBe(await sha256(b));
    const hex = (n: number) => `0x${n.toString(16).padStart(16, '0')}`;
    expect(r2.stdout).toContain(`Remaining pages  : ${hex(f.oracle.counts_by_level['31'].remaining_pages)}`);
    expect(r2.stdout).toContain(`Pages filled with zero  : ${hex(f.oracle.counts_by_level['31'].zero_pages)}`);
    rmSync(a);
    rmSync(b);
  });

  it.skipIf(!has('makedumpfile'))('makedumpfile re-filters our -c -d 1 output to the same report, and reads the same dmesg from it', () => {
    const f = realFixtures()[0];
    const ours = join(dir, 'd1.c');
    expect(vmsieve(['-c', '-d', '1', f.vmcore, ours]).status).toBe(0);
    const refiltered = join(dir, 'refiltered');
    const m = spawnSync('makedumpfile', ['-c', '-d', '31', '--message-level', '31', ours, refiltered], { encoding: 'utf8' });
    expect(m.status).toBe(0);
    const keys = ['zero_pages', 'non_private_cache_pages', 'user_process_data_pages', 'free_pages'] as const;
    for (const line of reportLines(f.oracle.counts_by_level['31'], keys)) expect(m.stdout + m.stderr).toContain(line);
    const log = join(dir, 'dmesg.txt');
    expect(spawnSync('makedumpfile', ['--dump-dmesg', ours, log]).status).toBe(0);
    expect(readFileSync(log).equals(readFileSync(f.dmesgFile))).toBe(true);
    for (const p of [ours, refiltered, log]) rmSync(p);
  });

  /** sha256 of `vmsieve -c -d 31` of each fixture, written once: what re-filtering a compressed copy must give. */
  const directC31 = new Map<string, Promise<string>>();
  const directC31Of = (f: RealFixture) => {
    if (!directC31.has(f.name)) {
      const out = join(dir, `direct-c31-${f.name}`);
      expect(vmsieve(['-c', '-d', '31', f.vmcore, out]).status).toBe(0);
      directC31.set(f.name, sha256(out).finally(() => rmSync(out)));
    }
    return directC31.get(f.name)!;
  };

  // Codecs do not depend on the dump: each dump takes one codec in turn, which keeps this -d 1 round trip, the suite's
  // heaviest test per dump, from growing fourfold with each dump; and one dump of each layout takes it.
  const rotated = oneOfEachLayout().map((f, i) => [f.name, CODEC_FLAGS[i % CODEC_FLAGS.length]!, f] as const);
  it.each(rotated)("%s: vmsieve reads its own %s -d 1 output: same dmesg, same -d 31 exclusions; re-filtered at -d 31 it is makedumpfile's direct -d 31, and with -c vmsieve's", async (_n, flag, f) => {
    const ours = join(dir, `own${flag}-${f.name}`);
    expect(vmsieve([flag, '-d', '1', f.vmcore, ours]).status).toBe(0);
    const log = join(dir, `own${flag}-${f.name}.txt`);
    expect(vmsieve(['--dump-dmesg', ours, log]).status).toBe(0);
    expect(readFileSync(log).equals(readFileSync(f.dmesgFile))).toBe(true);
    const r = vmsieve(['--dry-run', '--json', '-d', '31', ours]);
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout);
    const o = f.oracle.counts_by_level['31'];
    expect(got.pages).toMatchObject({ zero: o.zero_pages, cache: o.non_private_cache_pages, cachePrivate: o.private_cache_pages, user: o.user_process_data_pages, free: o.free_pages, offline: o.offline_pages });
    expect(got.total).toBe(o.total_pages);
    const refiltered = join(dir, `own${flag}-${f.name}.d31`);
    expect(vmsieve(['-d', '31', ours, refiltered]).status).toBe(0);
    const direct = (f.oracle.matrix as MatrixRun[]).find((m) => m.format_requested === 'kdump-uncompressed' && m.dump_level === 31)!;
    expect(await sha256(refiltered)).toBe(direct.output_sha256);
    // -c: the compute workers read the pages from the compressed input themselves
    const refilteredC = join(dir, `own${flag}-${f.name}.c31`);
    expect(vmsieve(['-c', '-d', '31', ours, refilteredC]).status).toBe(0);
    expect(await sha256(refilteredC)).toBe(await directC31Of(f));
    for (const p of [ours, log, refiltered, refilteredC]) rmSync(p);
  });

  it.skipIf(!has('makedumpfile')).each(CODEC_FLAGS)("vmsieve reads makedumpfile's own %s -d 1 output: same dmesg; re-filtered at -d 31 it is makedumpfile's direct -d 31", async (flag) => {
    const f = realFixtures()[0];
    const theirs = join(dir, `makedumpfile${flag}`);
    expect(spawnSync('makedumpfile', [flag, '-d', '1', f.vmcore, theirs]).status).toBe(0);
    const log = join(dir, `makedumpfile${flag}.txt`);
    expect(vmsieve(['--dump-dmesg', theirs, log]).status).toBe(0);
    expect(readFileSync(log).equals(readFileSync(f.dmesgFile))).toBe(true);
    const refiltered = join(dir, `makedumpfile${flag}.d31`);
    expect(vmsieve(['-d', '31', theirs, refiltered]).status).toBe(0);
    const direct = (f.oracle.matrix as MatrixRun[]).find((m) => m.format_requested === 'kdump-uncompressed' && m.dump_level === 31)!;
    expect(await sha256(refiltered)).toBe(direct.output_sha256);
    for (const p of [theirs, log, refiltered]) rmSync(p);
  });

  it.skipIf(!has('crash'))('crash --osrelease reads our compressed output', () => {
    const f = realFixtures()[0];
    const out = join(dir, 'crash.l');
    expect(vmsieve(['-l', '-d', '31', f.vmcore, out]).status).toBe(0);
    const r = spawnSync('crash', ['--osrelease', out], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(f.oracle.vmcoreinfo_summary.OSRELEASE);
    rmSync(out);
  });

  it.skipIf(!hasReaders || !has('makedumpfile'))('libkdumpfile and drgn read every kept page back identical, for every codec; the same pages as from makedumpfile\'s output', () => {
    const f = realFixtures()[0];
    const outs = ['-c', '-l', '-p', '-z'].map((flag) => {
      const out = join(dir, `codec${flag}`);
      expect(vmsieve([flag, '-d', '31', f.vmcore, out]).status).toBe(0);
      return out;
    });
    const theirs = join(dir, 'makedumpfile-c');
    expect(spawnSync('makedumpfile', ['-c', '-d', '31', f.vmcore, theirs]).status).toBe(0);
    outs.push(theirs);
    const r = spawnSync(PY, [join(repoRoot, '../shared/tools/verify_readers.py'), f.vmcore, ...outs], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => /libkdumpfile: identical=\d+ differing=0/.test(l))).toHaveLength(5);
    expect(lines.filter((l) => /drgn: .*identical=\d+ differing=0/.test(l))).toHaveLength(5);
    const identical = new Set(lines.filter((x) => /identical=/.test(x)).map((l) => Number(/identical=(\d+)/.exec(l)![1])));
    expect(identical.size).toBe(1);
    expect([...identical][0]).toBeGreaterThan(10_000);
    for (const p of outs) rmSync(p);
  }, 300_000);

  it('-F to stdout, restored with -R, equals the normal output', async () => {
    const f = realFixtures()[0];
    const normal = join(dir, 'normal');
    const restored = join(dir, 'restored');
    expect(vmsieve(['-d', '31', f.vmcore, normal]).status).toBe(0);
    const flat = spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-F', '-d', '31', f.vmcore], { maxBuffer: 1 << 30 });
    expect(flat.status).toBe(0);
    expect(vmsieve(['-R', restored], flat.stdout).status).toBe(0);
    expect(await sha256(restored)).toBe(await sha256(normal));
    if (has('makedumpfile')) {
      const mdfRestored = join(dir, 'mdf-restored');
      expect(spawnSync('makedumpfile', ['-R', mdfRestored], { input: flat.stdout }).status).toBe(0);
      expect(await sha256(mdfRestored)).toBe(await sha256(normal));
      rmSync(mdfRestored);
    }
    rmSync(normal);
    rmSync(restored);
  });

  it('refuses to overwrite without -f, and combinations makedumpfile refuses', () => {
    const f = realFixtures()[0];
    const r = vmsieve(['-d', '31', f.vmcore, f.oracleFile]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/exists.*-f/);
    expect(vmsieve(['-E', '-c', f.vmcore, join(dir, 'x')]).stderr).toMatch(/-E \(ELF output\) cannot be compressed/);
    expect(vmsieve(['-c', '-l', f.vmcore, join(dir, 'x')]).stderr).toMatch(/choose one compression/);
    expect(vmsieve(['-E', '--num-threads', '2', f.vmcore, join(dir, 'x')]).status).toBe(2);
  });

  it('SIGINT during an export leaves no file behind', async () => {
    const f = realFixtures()[realFixtures().length - 1];
    const work = mkdtempSync(join(dir, 'cancel-'));
    const child = spawn(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-z', '-d', '0', '--num-threads', '1', f.vmcore, join(work, 'out')]);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const deadline = Date.now() + 20_000;
    while (readdirSync(work).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(readdirSync(work)[0]).toMatch(/^out\.partial-/);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted by SIGINT; nothing was left behind/);
    expect(readdirSync(work)).toEqual([]);
  });
});
