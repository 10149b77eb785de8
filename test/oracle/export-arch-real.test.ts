/**
 * vmsieve's output on the dumps of architectures other than x86_64, against the makedumpfile built for each
 * (arm64: Debian's arm64 build under qemu-aarch64-static) and libkdumpfile. Its own file so that it runs beside
 * export-real: the emulated makedumpfile is slow.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { makedumpfileForRecord, oneOfEachLayout, realFixturesSkipReason, repoRoot } from '../helpers/fixtures.js';
import { CODEC_FLAGS, hasReaders, PY, reportLines, sha256, type MatrixRun } from '../helpers/oracle-outputs.js';

const skip = realFixturesSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'vmsieve-export-arch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(skip)(`vmsieve output vs makedumpfile's on real dumps of other architectures${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const otherArch = oneOfEachLayout().filter((f) => f.arch !== 'x86_64');
  // Each dump is read back uncompressed and with one codec, in turn: a codec's pages are the same bytes on every
  // architecture (export-real reads every codec), and what differs (byte order, page size) is in the headers all share.
  const COMPRESSED = CODEC_FLAGS.filter((c) => c !== '-z');
  // A dump makedumpfile reads only through our output (see below) gets -c, which every makedumpfile build reads.
  const codecsFor = (f: (typeof otherArch)[number], i: number) => [f.oracle.normalized_input ? '-c' : COMPRESSED[i % COMPRESSED.length]!, '-z'];
  describe.each(otherArch.map((f, i) => [f.name, f, codecsFor(f, i)] as const))('%s', (_n, f, codecFlags) => {
    const mdf = makedumpfileForRecord(f);
    if (mdf.skip) console.warn(`[export-real] ${f.name}: makedumpfile checks skipped: ${mdf.skip}`);

    it.skipIf(!!mdf.skip)(`${f.arch} makedumpfile re-filters our -c -d 0 output to the record's -d 31 counts and reads the same dmesg from it`, () => {
      const ours = join(dir, `${f.name}-d0.c`);
      expect(vmsieve(['-c', '-d', '0', f.vmcore, ours]).status).toBe(0);
      const refiltered = join(dir, `${f.name}-refiltered`);
      const m = spawnSync(mdf.cmd!, ['-c', '-d', '31', '--message-level', '31', ours, refiltered], { encoding: 'utf8' });
      expect(m.status).toBe(0);
      const keys = ['zero_pages', 'non_private_cache_pages', 'private_cache_pages', 'user_process_data_pages', 'free_pages', 'hwpoison_pages', 'offline_pages'] as const;
      for (const line of reportLines(f.oracle.counts_by_level['31'], keys)) expect(m.stdout + m.stderr).toContain(line);
      const log = join(dir, `${f.name}-dmesg.txt`);
      expect(spawnSync(mdf.cmd!, ['--dump-dmesg', ours, log]).status).toBe(0);
      expect(readFileSync(log).equals(readFileSync(mdf.dmesgFile!))).toBe(true);
      for (const p of [ours, refiltered, log]) rmSync(p);
    }, 300_000);

    it.skipIf(!!mdf.skip)(`our -F -d 31 on standard output, restored by the ${f.arch} makedumpfile -R, is makedumpfile's -d 31 file`, async () => {
      const want = (f.oracle.matrix as MatrixRun[]).find((m) => m.format_requested === 'kdump-uncompressed' && m.dump_level === 31)!;
      const flat = spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-F', '-d', '31', f.vmcore], { maxBuffer: 1 << 30 });
      expect(flat.status).toBe(0);
      const restored = join(dir, `${f.name}-restored`);
      expect(spawnSync(mdf.cmd!, ['-R', restored], { input: flat.stdout }).status).toBe(0);
      expect(await sha256(restored)).toBe(want.output_sha256);
      rmSync(restored);
    }, 300_000);

    // Split and flattened files of a big-endian dump carry its byte order (little-endian ones: split-real, flattened-real).
    it.skipIf(f.oracle.elf.byte_order !== 'big')("a -d 31 split set reassembles to the record's -d 31 file, and it and a -d 31 flattened stream count as that file", async () => {
      const want = (f.oracle.matrix as MatrixRun[]).find((m) => m.format_requested === 'kdump-uncompressed' && m.dump_level === 31)!;
      const members = [1, 2].map((i) => join(dir, `${f.name}-split${i}`));
      expect(vmsieve(['--split', '-d', '31', f.vmcore, ...members]).status).toBe(0);
      const whole = join(dir, `${f.name}-reassembled`);
      expect(vmsieve(['--reassemble', ...members, whole]).status).toBe(0);
      expect(await sha256(whole)).toBe(want.output_sha256);
      const flat = join(dir, `${f.name}-flat`);
      const streamed = spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-F', '-d', '31', f.vmcore], { maxBuffer: 1 << 30 });
      expect(streamed.status).toBe(0);
      writeFileSync(flat, streamed.stdout);
      // Re-filtered at -d 31, each reads as the file it holds.
      const counts = (input: string[]) => {
        const r = vmsieve(['--dry-run', '--json', '-d', '31', ...input]);
        expect(r.status, r.stderr).toBe(0);
        return JSON.parse(r.stdout);
      };
      const ref = counts([whole]);
      expect(ref.total).toBe(f.oracle.counts_by_level['31'].total_pages);
      expect(counts(members)).toEqual(ref);
      expect(counts([flat])).toEqual(ref);
      for (const p of [...members, whole, flat]) rmSync(p);
    }, 300_000);

    it.skipIf(!!mdf.skip)(`our --split -d 31 in three members, joined by the ${f.arch} makedumpfile --reassemble, is makedumpfile's -d 31 file`, async () => {
      const want = (f.oracle.matrix as MatrixRun[]).find((m) => m.format_requested === 'kdump-uncompressed' && m.dump_level === 31)!;
      const members = [1, 2, 3].map((i) => join(dir, `${f.name}-split${i}`));
      expect(vmsieve(['--split', '-d', '31', f.vmcore, ...members]).status).toBe(0);
      const joined = join(dir, `${f.name}-joined`);
      expect(spawnSync(mdf.cmd!, ['--reassemble', ...members, joined]).status).toBe(0);
      expect(await sha256(joined)).toBe(want.output_sha256);
      for (const p of [...members, joined]) rmSync(p);
    }, 300_000);

    // page-size-real.test.ts reads the outputs of a dump with pages other than 4 KiB page by page at its page size.
    const largePages = Number(f.oracle.vmcoreinfo_summary.PAGESIZE) !== 4096;
    // libkdumpfile 0.5 translates no riscv64 address (nor does drgn): those dumps are read by machine address.
    const machineAddressOnly = f.arch === 'riscv64';
    it.skipIf(!hasReaders || !!mdf.skip || largePages || machineAddressOnly)(`libkdumpfile reads our ${codecFlags.join(' and ')} -d 31 outputs page-exact: the pages of makedumpfile's`, () => {
      const outs = codecFlags.map((flag) => {
        const out = join(dir, `${f.name}-codec${flag}`);
        expect(vmsieve([flag, '-d', '31', f.vmcore, out]).status).toBe(0);
        return out;
      });
      const theirs = join(dir, `${f.name}-makedumpfile-c`);
      // makedumpfile 1.7.2 cannot read QEMU's ELF layout (its record is of a normalized copy): it re-filters our -c
      // output (outs[0]) instead (that it re-filters our -d 0 output to the record's -d 31 is checked above).
      const input = f.oracle.normalized_input ? outs[0]! : f.vmcore;
      expect(spawnSync(mdf.cmd!, ['-c', '-d', '31', input, theirs]).status).toBe(0);
      outs.push(theirs);
      const r = spawnSync(PY, [join(repoRoot, 'test/helpers/verify-readers.py'), '--no-drgn', f.vmcore, ...outs], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(r.status).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines.filter((l) => /libkdumpfile: identical=\d+ differing=0/.test(l))).toHaveLength(outs.length);
      const identical = new Set(lines.filter((x) => /libkdumpfile: identical=/.test(x)).map((l) => Number(/identical=(\d+)/.exec(l)![1])));
      expect(identical.size).toBe(1);
      expect([...identical][0]).toBeGreaterThan(10_000);
      for (const p of outs) rmSync(p);
    }, 600_000);

    it.skipIf(!hasReaders || !machineAddressOnly)(`libkdumpfile reads our ${codecFlags.join(' and ')} -d 31 outputs page-exact by machine address (and makedumpfile's -c where it runs)`, () => {
      const outs = codecFlags.map((flag) => {
        const out = join(dir, `${f.name}-machine${flag}`);
        expect(vmsieve([flag, '-d', '31', f.vmcore, out]).status).toBe(0);
        return out;
      });
      if (!mdf.skip) {
        const theirs = join(dir, `${f.name}-machine-makedumpfile-c`);
        expect(spawnSync(mdf.cmd!, ['-c', '-d', '31', f.vmcore, theirs]).status).toBe(0);
        outs.push(theirs);
      }
      const r = spawnSync(PY, [join(repoRoot, 'test/helpers/kdumpfile-pages.py'), f.vmcore, ...outs], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const counts = r.stdout.trim().split('\n').map((l) => /identical=(\d+) differing=(\d+) excluded=(\d+)$/.exec(l)!.slice(1).map(Number));
      expect(counts).toHaveLength(outs.length);
      // Every page read is the vmcore's, and every output holds the same pages (the kept ones and, read as zeros, the
      // excluded zero pages).
      for (const [identical, differing, excluded] of counts) {
        expect(differing).toBe(0);
        expect([identical, excluded]).toEqual([counts[0]![0], counts[0]![2]]);
      }
      expect(counts[0]![0]).toBeGreaterThan(10_000);
      for (const p of outs) rmSync(p);
    }, 600_000);
  });

});
