/**
 * --erase-found on real dumps: one without secrets (what it erases are the identifying findings, the boot log's
 * addresses among them) and each with planted ones (NAME.secrets.json: in the kernel keyring and the kernel log at
 * -d 31): libkdumpfile reads the erased output as the plain one but for those bytes, which are zero; makedumpfile
 * --dump-dmesg and crash read it, and the log makedumpfile prints from it no longer holds the planted values it
 * printed from the plain output; the scan of it finds nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SecretFinding } from '../../src/index.js';
import { vmsieve } from '../helpers/cli.js';
import { scanFile } from '../helpers/secret-scan.js';
import { plantedFixtures, realFixtures, realFixturesSkipReason, repoRoot, type RealFixture } from '../helpers/fixtures.js';
import { hasReaders, PY } from '../helpers/oracle-outputs.js';
import { plantedValues } from '../helpers/planted-secrets.js';

const skip = realFixturesSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'vmsieve-erase-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

const scan = async (path: string): Promise<SecretFinding[]> => (await scanFile(path)).findings;

/** The first x86_64 dump, and those with planted secrets. */
const dumps: RealFixture[] = skip ? [] : [...plantedFixtures(), realFixtures().find((x) => x.arch === 'x86_64')!];

/** The kernel log makedumpfile prints from a kdump file (undefined without makedumpfile), checked to succeed. */
function dmesgOf(dump: string, out: string): string | undefined {
  if (!has('makedumpfile')) return undefined;
  expect(spawnSync('makedumpfile', ['--dump-dmesg', dump, out]).status).toBe(0);
  return readFileSync(out, 'latin1');
}

describe.skipIf(skip)(`--erase-found on a real dump${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(dumps.map((f) => [f.name, f] as const))('%s: zeroes every finding and nothing else; the readers read the file; its scan finds nothing', async (name, f) => {
    const found = await scan(f.vmcore);
    expect(found.length).toBeGreaterThan(0);
    const plain = join(dir, `${name}.plain`);
    const erased = join(dir, `${name}.erased`);
    expect(vmsieve(['-c', '-d', '31', f.vmcore, plain]).status).toBe(0);
    const r = vmsieve(['-c', '--erase-found', '-d', '31', f.vmcore, erased]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Erased ${found.length} findings`);
    if (hasReaders) {
      const c = spawnSync(PY, [join(repoRoot, 'test/helpers/compare_erased.py'), plain, erased, '4096', ...found.map((x) => `${x.paddr}:${x.length}`)], { encoding: 'utf8' });
      expect(c.status, c.stderr).toBe(0);
      const result = JSON.parse(c.stdout) as { pages: number; identical: number; zeroedBytes: number; problems: string[] };
      expect(result.problems).toEqual([]);
      expect(result.zeroedBytes).toBe(found.reduce((n, x) => n + x.length, 0));
      expect(result.identical).toBe(result.pages - new Set(found.map((x) => x.pfn)).size);
    }
    const log = dmesgOf(erased, join(dir, `${name}.erased.log`));
    if (log !== undefined && f.plantedFile) {
      const logged = plantedValues(f.plantedFile).filter((v) => v.location === 'kmsg').map((v) => v.text!);
      const plainLog = dmesgOf(plain, join(dir, `${name}.plain.log`))!;
      expect(logged.filter((t) => !plainLog.includes(t))).toEqual([]);
      expect(logged.filter((t) => log.includes(t))).toEqual([]);
    }
    if (has('crash')) expect(spawnSync('crash', ['--osrelease', erased], { encoding: 'utf8' }).stdout.trim()).toBe(spawnSync('crash', ['--osrelease', plain], { encoding: 'utf8' }).stdout.trim());
    expect(await scan(erased)).toEqual([]);
  }, 600_000);
});
