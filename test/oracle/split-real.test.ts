// makedumpfile --split sets read as one dump, and joined (--reassemble) byte for byte as makedumpfile joins them.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { realFixtures, realFixturesSkipReason, repoRoot } from '../helpers/fixtures.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const OTHER = 'next-kdump612-384m-4l-kaslr';
const makedumpfileOk = spawnSync('makedumpfile', ['-v'], { stdio: 'ignore' }).error === undefined;
const fixture = realFixtures().find((f) => f.name === NAME);
const other = realFixtures().find((f) => f.name === OTHER);
const skip =
  realFixturesSkipReason() ??
  (makedumpfileOk ? undefined : 'makedumpfile is not installed (apt-get install makedumpfile): it writes the split sets') ??
  (fixture && other ? undefined : `fixtures ${NAME} and ${OTHER} are needed`);

const dir = mkdtempSync(join(tmpdir(), 'vmsieve-split-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (f: string) => join(dir, f);

/** makedumpfile --split in three; --splitblock-size 4096 (KiB) gives each member a share of this small dump. */
function split(vmcore: string, prefix: string): string[] {
  const files = ['A', 'B', 'C'].map((x) => at(`${prefix}${x}`));
  execFileSync('nice', ['-n', '10', 'makedumpfile', '--split', '--splitblock-size', '4096', '-c', '-d', '31', vmcore, ...files], { stdio: 'ignore' });
  return files;
}

describe.skipIf(!!skip)(`split sets${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: string[];
  beforeAll(() => {
    set = split(fixture!.vmcore, 's');
  });

  it('--reassemble A B C OUT equals makedumpfile --reassemble byte for byte (members in any order)', () => {
    execFileSync('makedumpfile', ['--reassemble', ...set, at('mdf.kdump')], { stdio: 'ignore' });
    const r = vmsieve(['--reassemble', set[2]!, set[0]!, set[1]!, at('ours.kdump')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(at('ours.kdump')).equals(readFileSync(at('mdf.kdump')))).toBe(true);
  });

  it("--dump-dmesg A B C LOG equals the fixture's log", () => {
    const r = vmsieve(['--dump-dmesg', ...set, at('log')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(at('log')).equals(readFileSync(fixture!.dmesgFile))).toBe(true);
  });

  it('--info reads the set as the whole dump', () => {
    const info = JSON.parse(vmsieve(['--info', '--json', ...set]).stdout);
    const whole = JSON.parse(vmsieve(['--info', '--json', at('mdf.kdump')]).stdout);
    expect(info.release).toBe(whole.release);
    expect(info.maxPfn).toBe(whole.maxPfn);
    expect(info.physBase).toBe(whole.physBase);
  });

  it('--dry-run --show-stats --json -d 31 A B C equals it on the reassembled file (with or without a DUMPFILE)', () => {
    const whole = vmsieve(['--dry-run', '--show-stats', '--json', '-d', '31', at('mdf.kdump')]);
    expect(whole.status, whole.stderr).toBe(0);
    const r = vmsieve(['--dry-run', '--show-stats', '--json', '-d', '31', ...set]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(whole.stdout));
    const withOut = vmsieve(['--dry-run', '--show-stats', '--json', '-d', '31', set[1]!, set[0]!, set[2]!, at('never-written')]);
    expect(withOut.status, withOut.stderr).toBe(0);
    expect(withOut.stdout).toBe(r.stdout);
  });

  it('--analyse --json A B C equals it on the reassembled file', () => {
    const whole = vmsieve(['--analyse', '--json', '--num-threads', '1', at('mdf.kdump')]);
    expect(whole.status, whole.stderr).toBe(0);
    const r = vmsieve(['--analyse', '--json', '--num-threads', '1', ...set]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(whole.stdout));
  });

  it.each([[[]], [['-E']], [['-c']]])('vmsieve %j -d 31 A B C OUT is byte-identical to it on the reassembled file', (flags) => {
    const tag = flags.join('') || 'none';
    const r = vmsieve([...flags, '-d', '31', ...set, at(`set.${tag}`)]);
    expect(r.status, r.stderr).toBe(0);
    const w = vmsieve([...flags, '-d', '31', at('mdf.kdump'), at(`whole.${tag}`)]);
    expect(w.status, w.stderr).toBe(0);
    expect(readFileSync(at(`set.${tag}`)).equals(readFileSync(at(`whole.${tag}`)))).toBe(true);
  });

  it('-F -d 31 A B C streams what -F does on the reassembled file', () => {
    const flat = (inputs: string[]) => execFileSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-F', '-d', '31', ...inputs], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
    const fromSet = flat(set);
    expect(fromSet.length).toBeGreaterThan(0);
    expect(fromSet.equals(flat([at('mdf.kdump')]))).toBe(true);
  });

  it('--split A B C X Y re-splits the set as it splits the reassembled file', () => {
    const fromSet = ['X', 'Y'].map((x) => at(`rs${x}`));
    const fromWhole = ['X', 'Y'].map((x) => at(`rw${x}`));
    const r = vmsieve(['--split', '-d', '31', ...set, ...fromSet]);
    expect(r.status, r.stderr).toBe(0);
    expect(vmsieve(['--split', '-d', '31', at('mdf.kdump'), ...fromWhole]).status).toBe(0);
    for (let i = 0; i < 2; i++) expect(readFileSync(fromSet[i]!).equals(readFileSync(fromWhole[i]!)), fromSet[i]).toBe(true);
  });

  it('a missing member is an error naming the pfns nobody holds', () => {
    const r = vmsieve(['--info', set[0]!, set[2]!]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no file of the split set holds pfns 0x[0-9a-f]+-0x[0-9a-f]+: a member is missing \(given: .*sA, .*sC\)/);
  });

  it('a member of another dump is an error naming it', () => {
    const foreign = split(other!.vmcore, 'o');
    const r = vmsieve(['--info', set[0]!, foreign[1]!, set[2]!]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/oB is not from the same dump as .*sA .*: it belongs to another split set/);
  });

  it.each([
    ['31', ['--splitblock-size', '4096']],
    ['30', ['--splitblock-size', '8192']],
    ['31', []],
  ])('vmsieve --split -d %s %j writes the members makedumpfile writes, byte for byte', (level, block) => {
    const ours = ['A', 'B', 'C'].map((x) => at(`v${level}${block.length}${x}`));
    const theirs = ['A', 'B', 'C'].map((x) => at(`m${level}${block.length}${x}`));
    const r = vmsieve(['--split', ...block, '-d', level, fixture!.vmcore, ...ours]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`The dumpfiles are saved to ${ours[0]}, ${ours[1]}, and ${ours[2]}.`);
    execFileSync('nice', ['-n', '10', 'makedumpfile', '--split', ...block, '-d', level, fixture!.vmcore, ...theirs], { stdio: 'ignore' });
    for (let i = 0; i < 3; i++) expect(readFileSync(ours[i]!).equals(readFileSync(theirs[i]!)), ours[i]).toBe(true);
  });

  it('a compressed vmsieve --split set is what makedumpfile --reassemble turns into the unsplit file', () => {
    const members = ['A', 'B', 'C'].map((x) => at(`zc${x}`));
    expect(vmsieve(['--split', '--splitblock-size', '4096', '-c', '-d', '31', fixture!.vmcore, ...members]).status).toBe(0);
    execFileSync('makedumpfile', ['--reassemble', ...members, at('zc.joined')], { stdio: 'ignore' });
    expect(vmsieve(['-c', '-d', '31', fixture!.vmcore, at('zc.whole')]).status).toBe(0);
    expect(readFileSync(at('zc.joined')).equals(readFileSync(at('zc.whole')))).toBe(true);
  });
});
