import { statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';
import { OUTPUT_KINDS } from '../../src/pipeline/outputs.js';
import { openVmcore } from '../../src/index.js';
import { quickAnalysis } from '../../web/lib/analyse-passes.js';

const skip = realFixturesSkipReason();

interface MatrixRun {
  format_requested: string;
  dump_level: number;
  output_size: number;
}

describe.skipIf(skip)(`vmsieve --analyse on real dumps${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(realFixtures().map((f) => [f.name, f] as const))('%s: exact sizes of makedumpfile\'s plain and ELF outputs, and of our compressed ones; the page\'s first answer within 3% of them', async (_n, f) => {
    const r = vmsieve(['--analyse', '--json', f.vmcore]);
    expect(r.status).toBe(0);
    const { levels } = JSON.parse(r.stdout) as { levels: Array<{ level: number; pages: number; bytes: Record<string, number> }> };
    expect(levels.map((l) => l.level)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    for (const m of f.oracle.matrix as MatrixRun[]) {
      const l = levels[m.dump_level];
      if (m.format_requested === 'kdump-uncompressed') expect([m.dump_level, l.bytes['kdump-none']]).toEqual([m.dump_level, m.output_size]);
      if (m.format_requested === 'elf') expect([m.dump_level, l.bytes.elf]).toEqual([m.dump_level, m.output_size]);
    }
    for (const [level, report] of Object.entries(f.oracle.counts_by_level)) expect(levels[Number(level)].pages).toBe(report.remaining_pages);
    const dir = mkdtempSync(join(tmpdir(), 'vmsieve-analyse-'));
    try {
      for (const [flag, kind, level] of [['-c', 'kdump-zlib', 31], ['-l', 'kdump-lzo', 1], ['-z', 'kdump-zstd', 0], ['-p', 'kdump-snappy', 8]] as const) {
        const out = join(dir, kind);
        expect(vmsieve([flag, '-d', String(level), f.vmcore, out]).status).toBe(0);
        expect([kind, level, levels[level].bytes[kind]]).toEqual([kind, level, statSync(out).size]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The first figures the page shows for -d 1 and -d 31 (its first analysis pass for a file this size).
    const [first] = quickAnalysis(statSync(f.vmcore).size);
    const v = await openVmcore(f.vmcore);
    try {
      const shown = await v.analyse(first!.request);
      for (const level of [1, 31]) {
        const off = (a: number, b: number) => Math.abs(a / b - 1) <= 0.03;
        expect([level, off(shown.levels[level]!.pages, levels[level]!.pages)]).toEqual([level, true]);
        for (const kind of OUTPUT_KINDS) expect([level, kind, off(shown.levels[level]!.bytes[kind], levels[level]!.bytes[kind]!)]).toEqual([level, kind, true]);
      }
    } finally {
      await v.close();
    }
  });

  it('--estimate samples page contents: a first answer close to the exact one', () => {
    const f = realFixtures()[0];
    const exact = JSON.parse(vmsieve(['--analyse', '--json', f.vmcore]).stdout);
    const r = vmsieve(['--analyse', '--json', '--estimate', '16', f.vmcore]);
    expect(r.status).toBe(0);
    const est = JSON.parse(r.stdout);
    expect([exact.estimated, est.estimated]).toEqual([false, true]);
    for (const level of [0, 1, 31]) {
      for (const kind of ['kdump-zlib', 'kdump-lzo', 'kdump-none', 'elf']) {
        const ratio = est.levels[level].bytes[kind] / exact.levels[level].bytes[kind];
        expect([level, kind, ratio > 0.85 && ratio < 1.15]).toEqual([level, kind, true]);
      }
      expect(Math.abs(est.levels[level].pages / exact.levels[level].pages - 1)).toBeLessThan(0.05);
    }
  });

  it('--measure-every 16 reads every page: page counts, kdump-none and ELF exact, codec sizes within 2% of the exact ones', () => {
    const f = realFixtures()[0];
    const exact = JSON.parse(vmsieve(['--analyse', '--json', f.vmcore]).stdout);
    const r = vmsieve(['--analyse', '--json', '--measure-every', '16', f.vmcore]);
    expect(r.status).toBe(0);
    const quick = JSON.parse(r.stdout);
    expect([quick.estimated, quick.pagesEstimated, quick.estimatedKinds]).toEqual([true, false, ['kdump-zlib', 'kdump-lzo', 'kdump-snappy', 'kdump-zstd']]);
    for (let level = 0; level < 32; level++) {
      expect([level, quick.levels[level].pages]).toEqual([level, exact.levels[level].pages]);
      for (const kind of ['kdump-none', 'elf']) expect([level, kind, quick.levels[level].bytes[kind]]).toEqual([level, kind, exact.levels[level].bytes[kind]]);
      for (const kind of quick.estimatedKinds as string[]) {
        const ratio = quick.levels[level].bytes[kind] / exact.levels[level].bytes[kind];
        expect([level, kind, Math.abs(ratio - 1) < 0.02]).toEqual([level, kind, true]);
      }
    }
  });
});
