import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDump } from '../../src/formats/open-dump.js';
import { isKdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { vmsieve } from '../helpers/cli.js';
import { cacheDir, realFixtures, realFixturesSkipReason, repoRoot } from '../helpers/fixtures.js';
import { dumpWithFreedSymbolPage, type PatchedDump } from '../helpers/patched-dump.js';

const NAME = 'dev-kdump-288m-4l-kaslr';
const fixture = realFixtures().find((f) => f.name === NAME);
const skip = realFixturesSkipReason() ?? (fixture ? undefined : `the ${NAME} fixture is missing`);
const makedumpfileOk = spawnSync('makedumpfile', ['-v'], { stdio: 'ignore' }).error === undefined;

/** Whether makedumpfile's (or vmsieve's) kdump output at `level` has `pfn` in its 2nd bitmap (the pages it wrote). */
async function written(path: string, pfn: number): Promise<boolean> {
  const source = await NodeFileSource.open(path);
  try {
    const d = await openDump(source);
    if (!isKdumpDump(d)) throw new Error(`${path} is not kdump-compressed`);
    return ((d.bitmap2[pfn >> 3] >> (pfn & 7)) & 1) === 1;
  } finally {
    await source.close();
  }
}

describe.skipIf(skip)(`vmsieve --check-level on a dump that loses idt_table${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let patched: PatchedDump;
  const work = join(cacheDir, 'check-level');
  beforeAll(async () => {
    patched = await dumpWithFreedSymbolPage(fixture!.vmcore, NAME, 'idt_table');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
  }, 180_000);

  it('exit 4 and the list at levels with bit 16, exit 0 without it', () => {
    const r = vmsieve(['--check-level', '16', '--json', patched.path]);
    expect(r.status).toBe(4);
    const j = JSON.parse(r.stdout);
    expect(j.keepsEverything).toBe(false);
    expect(j.dropped).toEqual([{ kind: 'symbol', what: 'idt_table', address: expect.stringMatching(/^0x[0-9a-f]{16}$/), pfn: patched.pfn, reason: 'free' }]);
    const text = vmsieve(['--check-level', '31', patched.path]);
    expect(text.status).toBe(4);
    expect(text.stdout).toMatch(/^Dump level 31 leaves out 1 kernel object on 1 page crash and drgn need/);
    expect(text.stdout).toMatch(new RegExp(`symbol +idt_table [0-9a-f]{16} pfn 0x${patched.pfn.toString(16)} +free`));
    expect(vmsieve(['--check-level', '15', patched.path]).status).toBe(0);
  });

  it.skipIf(!makedumpfileOk)('makedumpfile and vmsieve -d 16 leave that page out, -d 15 keeps it (as the check predicts); on their outputs the check finds it absent', async () => {
    for (const [tool, level] of [['makedumpfile', 16], ['makedumpfile', 15], ['vmsieve', 16]] as const) {
      const out = join(work, `${tool}.d${level}`);
      const r =
        tool === 'makedumpfile'
          ? spawnSync('makedumpfile', ['-d', String(level), patched.path, out], { encoding: 'utf8' })
          : spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-d', String(level), patched.path, out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(out)).toBe(true);
      expect(await written(out, patched.pfn), `${tool} -d ${level}`).toBe(level !== 16);
    }
    // A filtered file that lacks the page: no level can bring it back, so even -d 0 reports it.
    for (const tool of ['makedumpfile', 'vmsieve']) {
      const r = vmsieve(['--check-level', '0', '--json', join(work, `${tool}.d16`)]);
      expect(r.status, tool).toBe(4);
      expect(JSON.parse(r.stdout).dropped).toEqual([expect.objectContaining({ what: 'idt_table', pfn: patched.pfn, reason: 'absent' })]);
    }
    expect(vmsieve(['--check-level', '0', join(work, 'makedumpfile.d15')]).status).toBe(0);
  });
});

describe.skipIf(realFixturesSkipReason() || !makedumpfileOk)(
  `makedumpfile -d 31 output keeps every page the check names${makedumpfileOk ? '' : ' (skipped: makedumpfile is not installed)'}`,
  () => {
    // The makedumpfile here reads x86_64 dumps only.
    const kdumpFixtures = realFixtures().filter((f) => f.name.includes('kdump') && f.arch === 'x86_64');
    it.each(kdumpFixtures.map((f) => [f.name, f] as const))('%s: --check-level 0 on makedumpfile’s -d 31 file finds nothing absent', (_n, f) => {
      const work = join(cacheDir, 'check-level');
      mkdirSync(work, { recursive: true });
      const out = join(work, `${f.name}.mdf.d31`);
      rmSync(out, { force: true });
      const r = spawnSync('makedumpfile', ['-d', '31', f.vmcore, out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const c = vmsieve(['--check-level', '0', '--json', out]);
      expect(c.status).toBe(0);
      const j = JSON.parse(c.stdout);
      expect(j.dropped).toEqual([]);
      expect(j.checked.symbol).toBeGreaterThan(30_000);
      expect(j.checked['page-table']).toBeGreaterThan(50);
    });
  },
);
