// A PT_LOAD past the memory map (QEMU's firmware ROM at 0xfffc0000, which no mem_section describes), on a generated
// QEMU-like dump: vmsieve's -E files are makedumpfile's byte for byte, at levels where makedumpfile 1.7.2 keeps part
// of the ROM (it reads those pages' bits from the last block of its bitmap file: see bitmap-file-lookup.ts), and
// --analyse predicts their size exactly.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateVmcore } from '../../fixtures/gen/generate.js';
import { vmsieve } from '../helpers/cli.js';

const makedumpfileOk = spawnSync('makedumpfile', ['-v'], { stdio: 'ignore' }).error === undefined;
const skip = makedumpfileOk ? undefined : 'makedumpfile is not installed (apt-get install makedumpfile)';
const ROM = 0xfffc0000;

const dir = mkdtempSync(join(tmpdir(), 'vmsieve-rom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (f: string) => join(dir, f);

/** The file size of the last program header's p_filesz (the ROM's) in an ELF64 file. */
function lastLoadFilesz(path: string): number {
  const b = readFileSync(path);
  const phoff = Number(b.readBigUInt64LE(32));
  const phnum = b.readUInt16LE(56);
  const last = phoff + 56 * (phnum - 1);
  expect(Number(b.readBigUInt64LE(last + 16 + 8))).toBe(ROM);
  return Number(b.readBigUInt64LE(last + 32));
}

describe.skipIf(!!skip)(`ROM segment past the memory map${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const vmcore = at('rom.vmcore');
  beforeAll(async () => {
    // 128 MiB: one bitmap block of RAM, which makedumpfile's ROM lookups land in.
    await generateVmcore(vmcore, { memoryMiB: 128, hole: false, romPhys: ROM, seed: 5 });
  });

  it.each([1, 30, 31])('-E -d %i equals makedumpfile -E byte for byte, and --analyse gives its size', (level) => {
    const theirs = at(`m${level}.elf`);
    const ours = at(`v${level}.elf`);
    execFileSync('nice', ['-n', '10', 'makedumpfile', '-E', '-d', String(level), vmcore, theirs], { stdio: 'ignore' });
    const r = vmsieve(['-E', '-d', String(level), vmcore, ours]);
    expect(r.status, r.stderr).toBe(0);
    expect(lastLoadFilesz(ours)).toBe(lastLoadFilesz(theirs));
    expect(readFileSync(ours).equals(readFileSync(theirs))).toBe(true);
    if (level === 31) {
      const a = vmsieve(['--analyse', '--json', '--num-threads', '1', vmcore]);
      expect(a.status, a.stderr).toBe(0);
      const row = JSON.parse(a.stdout).levels.find((l: { level: number }) => l.level === level);
      expect(row.bytes.elf).toBe(statSync(theirs).size);
    }
  });

  it('keeps part of the ROM at -d 31 (the case the rule decides), none of it in kdump output', () => {
    expect(lastLoadFilesz(at('m31.elf'))).toBeGreaterThan(0);
    expect(lastLoadFilesz(at('m31.elf'))).toBeLessThan(0x40000);
    const theirs = at('m31.kdump');
    const ours = at('v31.kdump');
    execFileSync('nice', ['-n', '10', 'makedumpfile', '-d', '31', vmcore, theirs], { stdio: 'ignore' });
    const r = vmsieve(['-d', '31', vmcore, ours]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(ours).equals(readFileSync(theirs))).toBe(true);
  });
});
