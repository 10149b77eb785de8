// Analyse on the files kdump leaves: makedumpfile's -c -d 1 output of each real dump must weigh, at every level that
// includes -d 1, what the original vmcore weighs: the same kdump-none bytes, and ELF bytes equal to the file vmsieve
// writes from it. (A kdump-compressed file does not record the vmcore's program headers, so its ELF output lacks the
// vmcore's duplicate kernel-image segment, or QEMU's ROM segment past max_mapnr; the test shows that difference too.)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { cacheDir, makedumpfileForRecord, oneOfEachLayout, realFixtures, realFixturesSkipReason, sharedDir, type RealFixture } from '../helpers/fixtures.js';

const work = join(cacheDir, 'analyse-kdump');
const python = process.env.VMSIEVE_PYTHON ?? '/usr/bin/python3';
const normalizeTool = join(sharedDir, 'tools/vmcore-gen/elf-phdr-normalize.py');
const makedumpfileOk = spawnSync('makedumpfile', ['-v'], { stdio: 'ignore' }).error === undefined;
const skip =
  realFixturesSkipReason() ??
  (makedumpfileOk ? undefined : 'makedumpfile is not installed (apt-get install makedumpfile): it makes the kdump-compressed inputs') ??
  (existsSync(python) && existsSync(normalizeTool) ? undefined : `${python} or ${normalizeTool} missing: needed to let makedumpfile read the QEMU fixture`);

const X86_64 = 62;
const LEVELS = [1, 3, 17, 31];

interface Analysis {
  inputLevel?: number;
  levels: Array<{ level: number; pages: number; sameAs?: number; bytes: Record<string, number> }>;
}

/** Page counts, kdump-none and ELF bytes, which are exact with any --measure-every; compressing every page would add nothing here. */
function analyse(path: string): Analysis {
  const r = vmsieve(['--analyse', '--json', '--measure-every', '1024', path]);
  expect([r.status, r.stderr]).toEqual([0, expect.not.stringContaining('vmsieve: error')]);
  return JSON.parse(r.stdout) as Analysis;
}

/**
 * The `-c -d 1` output of the fixture by a makedumpfile whose -d 1 counts are the truth's (QEMU 7.2's ELF needs its
 * program headers moved first, which moves no page): the record's own, else Debian's 1.7.2 where its record agrees at
 * -d 1 (on a one-cycle dump it does not). Where neither is at hand (another architecture) it is vmsieve's own output.
 */
function compressedD1(f: RealFixture): string {
  const out = join(work, `${f.name}.c-d1.kdump`);
  if (existsSync(out)) return out;
  mkdirSync(work, { recursive: true });
  const tmp = `${out}.tmp`;
  rmSync(tmp, { force: true });
  const truth = makedumpfileForRecord(f);
  const debian = f.oracleFile.replace(/-new\.json$/, '.json');
  const debianD1 = (JSON.parse(readFileSync(debian, 'utf8')) as RealFixture['oracle']).counts_by_level['1']!;
  const truthD1 = f.oracle.counts_by_level['1']!;
  const debianAgrees = (['original_pages', 'zero_pages', 'remaining_pages'] as const).every((k) => debianD1[k] === truthD1[k]);
  const cmd = truth.cmd ?? (debianAgrees ? 'makedumpfile' : undefined);
  if (f.oracle.elf.e_machine !== X86_64 || !cmd) {
    const r = vmsieve(['-c', '-d', '1', f.vmcore, tmp]);
    expect([r.status, r.stderr]).toEqual([0, expect.any(String)]);
  } else {
    let source = f.vmcore;
    if (f.oracle.normalized_input) {
      source = join(work, `${f.name}.normalized.vmcore`);
      execFileSync(python, [normalizeTool, f.vmcore, source]);
    }
    execFileSync(cmd, ['-c', '-d', '1', source, tmp], { stdio: 'ignore' });
    if (source !== f.vmcore) rmSync(source);
  }
  renameSync(tmp, out);
  return out;
}

describe.skipIf(skip)(`vmsieve --analyse on kdump-compressed files${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(oneOfEachLayout().map((f) => [f.name, f] as const))('%s: makedumpfile -c -d 1 output weighs what the vmcore weighs at -d 1, 3, 17, 31', (_n, f) => {
    const kdump = compressedD1(f);
    const fromVmcore = analyse(f.vmcore);
    const fromKdump = analyse(kdump);
    expect(fromKdump.inputLevel).toBe(1);
    for (const level of LEVELS) {
      const a = fromVmcore.levels[level]!;
      const b = fromKdump.levels[level]!;
      expect([level, b.sameAs, b.bytes['kdump-none']]).toEqual([level, undefined, a.bytes['kdump-none']]);
      const elfFromVmcore = a.bytes.elf;
      expect([level, b.bytes.elf <= elfFromVmcore]).toEqual([level, true]);
    }
    // A level without bit 1 gives what the file's own level gives: the file has no zero pages to put back.
    expect(fromKdump.levels[30]!).toEqual({ ...fromKdump.levels[31]!, level: 30, sameAs: 31 });
    const dir = join(work, 'out');
    mkdirSync(dir, { recursive: true });
    for (const level of [1, 31]) {
      for (const [flags, kind] of [[['-E'], 'elf'], [[], 'kdump-none']] as const) {
        const out = join(dir, `${f.name}-${kind}-${level}`);
        rmSync(out, { force: true });
        const r = vmsieve([...flags, '-d', String(level), kdump, out]);
        expect(r.status).toBe(0);
        expect([kind, level, fromKdump.levels[level]!.bytes[kind]]).toEqual([kind, level, statSync(out).size]);
        rmSync(out);
      }
    }
  }, 300_000);

  it('the pages a -d 31 file lacks count as excluded: its -d 31 figures are the vmcore\'s, and it lacks what -d 31 leaves out', () => {
    const f = realFixtures().find((x) => x.oracle.elf.e_machine === X86_64)!;
    const out = join(work, `${f.name}.c-d31.kdump`);
    mkdirSync(work, { recursive: true });
    if (!existsSync(out)) {
      execFileSync('makedumpfile', ['-c', '-d', '31', f.vmcore, `${out}.tmp`], { stdio: 'ignore' });
      renameSync(`${out}.tmp`, out);
    }
    const fromVmcore = analyse(f.vmcore);
    const fromKdump = analyse(out);
    expect(fromKdump.inputLevel).toBe(31);
    expect(fromKdump.levels[31]!.bytes['kdump-none']).toBe(fromVmcore.levels[31]!.bytes['kdump-none']);
    const refiltered = f.oracle.refilter as Record<string, { report: { remaining_pages: number } }>;
    const fromMakedumpfile = Object.values(refiltered).find((r) => r.report?.remaining_pages !== undefined)!.report.remaining_pages;
    expect(fromKdump.levels[31]!.pages).toBe(fromMakedumpfile);
    for (let level = 0; level < 31; level++) expect([level, fromKdump.levels[level]!.sameAs]).toEqual([level, 31]);
  });
});
