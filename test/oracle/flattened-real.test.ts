// Flattened input read in place (no -R first): makedumpfile -F -c -d 1 of every x86_64 fixture gives the same
// report as the original vmcore (the page classes; "original" and "remaining" are the kdump file's, as makedumpfile
// itself counts them on its -R output) and the same kernel log.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { realFixtures, realFixturesSkipReason, sharedDir } from '../helpers/fixtures.js';

const python = process.env.VMSIEVE_PYTHON ?? '/usr/bin/python3';
const normalizeTool = join(sharedDir, 'tools/vmcore-gen/elf-phdr-normalize.py');
const makedumpfileOk = spawnSync('makedumpfile', ['-v'], { stdio: 'ignore' }).error === undefined;
const skip =
  realFixturesSkipReason() ??
  (makedumpfileOk ? undefined : 'makedumpfile is not installed (apt-get install makedumpfile): it writes the flattened files') ??
  (existsSync(normalizeTool) ? undefined : `${normalizeTool} is missing: needed to make the QEMU fixture readable by makedumpfile`);

const EM_X86_64 = 62;
function machine(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(20);
    readSync(fd, b, 0, 20, 0);
    return b.readUInt16LE(18);
  } finally {
    closeSync(fd);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'vmsieve-flat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** makedumpfile -F -c -d 1 of the fixture (QEMU's ELF first gets its program headers where 1.7.2 looks for them). */
function flattened(name: string, vmcore: string): string {
  let input = vmcore;
  if (name.includes('qemu')) {
    input = join(dir, `${name}.normalized`);
    execFileSync(python, [normalizeTool, vmcore, input]);
  }
  const out = join(dir, `${name}.flat`);
  const fd = openSync(out, 'w');
  try {
    execFileSync('nice', ['-n', '10', 'makedumpfile', '-F', '-c', '-d', '1', input], { stdio: ['ignore', fd, 'ignore'] });
  } finally {
    closeSync(fd);
  }
  if (input !== vmcore) rmSync(input);
  return out;
}

const stats = (path: string) => {
  const r = vmsieve(['--dry-run', '--show-stats', '--json', '-d', '31', path]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe.skipIf(!!skip)(`flattened makedumpfile output read directly${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const fixtures = realFixtures().filter((f) => machine(f.vmcore) === EM_X86_64);
  it.each(fixtures.map((f) => [f.name, f] as const))('%s: -F -c -d 1 reports and logs like the original', (name, f) => {
    const flat = flattened(name, f.vmcore);
    const restored = join(dir, `${name}.kdump`);
    execFileSync('makedumpfile', ['-R', restored], { input: readFileSync(flat), stdio: ['pipe', 'ignore', 'ignore'] });

    const fromFlat = stats(flat);
    expect(fromFlat).toEqual(stats(restored));
    const original = stats(f.vmcore);
    for (const k of ['zero', 'cache', 'cachePrivate', 'user', 'free', 'hwpoison', 'offline']) expect(fromFlat.pages[k], k).toBe(original.pages[k]);
    expect(fromFlat.total).toBe(original.total);

    const logFlat = join(dir, `${name}.flat.dmesg`);
    const logOrig = join(dir, `${name}.dmesg`);
    expect(vmsieve(['--dump-dmesg', flat, logFlat]).status).toBe(0);
    expect(vmsieve(['--dump-dmesg', f.vmcore, logOrig]).status).toBe(0);
    expect(readFileSync(logFlat).equals(readFileSync(logOrig))).toBe(true);

    const info = JSON.parse(vmsieve(['--info', '--json', flat]).stdout);
    expect(info.format).toBe('kdump');
    expect(info.release).toBe(JSON.parse(vmsieve(['--info', '--json', f.vmcore]).stdout).release);
    rmSync(flat);
    rmSync(restored);
  });
});
