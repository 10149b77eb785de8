/**
 * Flattened and split input on the dumps of an architecture whose makedumpfile is not at hand (riscv64: Debian 12
 * builds none), where flattened-real and split-real cannot make their inputs: vmsieve writes them itself; each, read
 * in place, gives the record's report and log, and joined back it is byte for byte the record's -d 31 file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { makedumpfileFor, makedumpfileForRecord, realFixtures, realFixturesSkipReason, repoRoot } from '../helpers/fixtures.js';
import { sha256, type MatrixRun } from '../helpers/oracle-outputs.js';

const skip = realFixturesSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'vmsieve-own-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLASSES = { zero: 'zero_pages', cache: 'non_private_cache_pages', cachePrivate: 'private_cache_pages', user: 'user_process_data_pages', free: 'free_pages', hwpoison: 'hwpoison_pages', offline: 'offline_pages' } as const;

describe.skipIf(skip)(`flattened and split input written by vmsieve${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const fixtures = realFixtures().filter((f) => makedumpfileFor(f.arch).skip && makedumpfileForRecord(f).skip);
  describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_n, f) => {
    const direct31 = (f.oracle.matrix as MatrixRun[]).find((m) => m.format_requested === 'kdump-uncompressed' && m.dump_level === 31)!.output_sha256;
    const report31 = f.oracle.counts_by_level['31'];
    /** The input's -d 31 report and log equal the record's. */
    const readsLikeTheVmcore = (input: string | string[]) => {
      const r = vmsieve(['--dry-run', '--json', '-d', '31', ...[input].flat()]);
      expect(r.status, r.stderr).toBe(0);
      const pages = JSON.parse(r.stdout).pages;
      for (const [ours, theirs] of Object.entries(CLASSES)) expect(pages[ours], ours).toBe(report31[theirs]);
      const log = join(dir, `${f.name}.log`);
      expect(vmsieve(['--dump-dmesg', '-f', ...[input].flat(), log]).status).toBe(0);
      expect(readFileSync(log).equals(readFileSync(f.dmesgFile))).toBe(true);
    };

    it('-F -d 31 on standard output: read in place it reports and logs like the vmcore; -R gives the record\'s -d 31 file', async () => {
      const flat = spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-F', '-d', '31', f.vmcore], { maxBuffer: 1 << 30 });
      expect(flat.status).toBe(0);
      const flatFile = join(dir, `${f.name}.flat`);
      writeFileSync(flatFile, flat.stdout);
      readsLikeTheVmcore(flatFile);
      const restored = join(dir, `${f.name}.restored`);
      expect(vmsieve(['-R', restored], flat.stdout).status).toBe(0);
      expect(await sha256(restored)).toBe(direct31);
      for (const p of [flatFile, restored]) rmSync(p);
    }, 120_000);

    it('--split -d 31 in three: the set reads like the vmcore; --reassemble gives the record\'s -d 31 file', async () => {
      const set = ['A', 'B', 'C'].map((x) => join(dir, `${f.name}.split${x}`));
      expect(vmsieve(['--split', '--splitblock-size', '4096', '-d', '31', f.vmcore, ...set]).status).toBe(0);
      readsLikeTheVmcore(set);
      const joined = join(dir, `${f.name}.joined`);
      expect(vmsieve(['--reassemble', set[1]!, set[2]!, set[0]!, joined]).status).toBe(0);
      expect(await sha256(joined)).toBe(direct31);
      for (const p of [...set, joined]) rmSync(p);
    }, 120_000);
  });
});
