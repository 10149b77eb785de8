/**
 * Oracle: the generator's arm64 machines, filtered by an arm64 build of makedumpfile (an x86_64 one cannot read arm64
 * dumps), give the predicted counts. Set VMSIEVE_MAKEDUMPFILE_ARM64 to a command that runs one, e.g. a wrapper around
 * `qemu-aarch64-static -L SYSROOT makedumpfile` (fixtures/real/README.md says how the records' binaries were made).
 *
 * Left out, because makedumpfile cannot read them: the FEAT_LPA2 shapes (its arm64.c decodes the 48-bit and FEAT_LPA
 * descriptor layouts only), and 64k-42, whose two-level tables map the linear map with PMD (level-2) blocks: the
 * upstream build fails there with "Can't read mem_section array", and reads the same machine with a page-mapped
 * linear map correctly.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ARM64_SHAPES } from '../../fixtures/gen/arm64.js';
import { generateVmcore } from '../../fixtures/gen/generate.js';
import { repoRoot } from '../helpers/fixtures.js';

const run = promisify(execFile);
const MDF = process.env.VMSIEVE_MAKEDUMPFILE_ARM64;
const skip = !MDF ? 'VMSIEVE_MAKEDUMPFILE_ARM64 is not set (an arm64 makedumpfile, e.g. under qemu-aarch64-static)' : !existsSync(MDF) ? `${MDF} does not exist` : undefined;
if (skip) console.warn(`[generator-arm64-vs-makedumpfile] skipped: ${skip}`);

const SHAPES = ['4k-39', '4k-48', '4k-48-old', '16k-47', '16k-48', '64k-48', '64k-52-lpa', '64k-52-on-48'];
const LEVELS = [0, 1, 2, 4, 8, 16, 31];
const dir = join(repoRoot, '.cache', 'gen-arm64-mdf');

const LABELS: Record<string, RegExp> = {
  original: /Original pages\s*:\s*0x([0-9a-f]+)/,
  zero: /Pages filled with zero\s*:\s*0x([0-9a-f]+)/,
  cache: /Non-private cache pages\s*:\s*0x([0-9a-f]+)/,
  cachePrivate: /\n\s*Private cache pages\s*:\s*0x([0-9a-f]+)/,
  user: /User process data pages\s*:\s*0x([0-9a-f]+)/,
  free: /Free pages\s*:\s*0x([0-9a-f]+)/,
  hwpoison: /Hwpoison pages\s*:\s*0x([0-9a-f]+)/,
  offline: /Offline pages\s*:\s*0x([0-9a-f]+)/,
  remaining: /Remaining pages\s*:\s*0x([0-9a-f]+)/,
};

describe.skipIf(!!skip)('arm64 synthetic dumps: makedumpfile reports the predicted counts', () => {
  it.each(SHAPES)('%s', async (name) => {
    const shape = ARM64_SHAPES[name]!;
    mkdirSync(dir, { recursive: true });
    const vmcore = join(dir, `${name}.vmcore`);
    const out = join(dir, `${name}.out`);
    try {
      const prediction = await generateVmcore(vmcore, { arm64: shape, memoryMiB: shape.pageSize === 65536 ? 320 : 64, seed: 11 });
      for (const level of LEVELS) {
        const r = await run(MDF!, ['-d', String(level), '--message-level', '31', '-f', vmcore, out], { maxBuffer: 64 << 20 });
        const text = r.stdout + r.stderr;
        const got = Object.fromEntries(Object.entries(LABELS).map(([k, re]) => [k, Number.parseInt(re.exec(text)?.[1] ?? 'NaN', 16)]));
        expect(got, `-d ${level}`).toEqual(Object.fromEntries(Object.keys(LABELS).map((k) => [k, prediction.levels[level]![k as keyof (typeof prediction.levels)[number]]])));
      }
    } finally {
      rmSync(vmcore, { force: true });
      rmSync(out, { force: true });
    }
  }, 600_000);
});
