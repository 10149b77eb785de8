// -L SIZE writes what makedumpfile writes: the file cut at SIZE, descriptors from the first page that does not fit
// on left zero, the header flagged DUMP_DH_COMPRESSED_INCOMPLETE, and a failing exit status.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const makedumpfileOk = spawnSync('makedumpfile', ['-v'], { stdio: 'ignore' }).error === undefined;
const fixture = realFixtures().find((f) => f.name === NAME);
const skip =
  realFixturesSkipReason() ??
  (makedumpfileOk ? undefined : 'makedumpfile is not installed (apt-get install makedumpfile): it is the oracle for -L') ??
  (fixture ? undefined : `fixture ${NAME} is needed`);

const dir = mkdtempSync(join(tmpdir(), 'vmsieve-limit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!!skip)(`-L SIZE${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each([
    ['31', '5M'],
    ['31', '30M'],
    ['1', '12M'],
  ])('-d %s -L %s is byte-identical to makedumpfile', (level, limit) => {
    const ours = join(dir, `ours-${level}-${limit}`);
    const theirs = join(dir, `mdf-${level}-${limit}`);
    const r = vmsieve(['-d', level, '-L', limit, fixture!.vmcore, ours]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/reached the size limit \(-L \d+ bytes\): it is incomplete/);
    spawnSync('nice', ['-n', '10', 'makedumpfile', '-d', level, '-L', limit, fixture!.vmcore, theirs], { stdio: 'ignore' });
    expect(statSync(ours).size).toBe(statSync(theirs).size);
    expect(readFileSync(ours).equals(readFileSync(theirs))).toBe(true);
  });

  it('a compressed file under the limit is complete; one over it reads back as incomplete', () => {
    const whole = join(dir, 'c-under');
    expect(vmsieve(['-c', '-d', '31', '-L', '38M', fixture!.vmcore, whole]).status).toBe(0);
    expect(JSON.parse(vmsieve(['--info', '--json', whole]).stdout).warnings).toEqual([]);
    const cut = join(dir, 'c-limited');
    expect(vmsieve(['-c', '-d', '1', '-L', '30M', fixture!.vmcore, cut]).status).toBe(1);
    const info = JSON.parse(vmsieve(['--info', '--json', cut]).stdout);
    expect(info.warnings.map((w: { code: string }) => w.code)).toContain('W_INCOMPLETE');
    expect(statSync(cut).size).toBe(30 << 20);
  });
});
