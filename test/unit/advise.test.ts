import { describe, expect, it } from 'vitest';
import { advise, candidatesFor, configLines, type Speeds } from '../../src/advise/model.js';
import { OUTPUT_KINDS, type LevelSizes, type OutputKind } from '../../src/pipeline/analyse.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Plausible sizes: each bit drops a random share, codecs shrink by random ratios, ELF a little over kdump-none. */
function levels(seed: number): LevelSizes[] {
  const r = lcg(seed);
  const total = 1e9 * (1 + 8 * r());
  const drop = [0.3, 0.2, 0.05, 0.15, 0.25].map((d) => d * r());
  const ratio = { 'kdump-zlib': 0.2 + 0.2 * r(), 'kdump-lzo': 0.35 + 0.2 * r(), 'kdump-snappy': 0.35 + 0.2 * r(), 'kdump-zstd': 0.15 + 0.2 * r() };
  return Array.from({ length: 32 }, (_, level) => {
    const none = total * drop.reduce((k, d, bit) => (level & (1 << bit) ? k * (1 - d) : k), 1);
    const bytes = { 'kdump-none': none, elf: none * 1.01 } as Record<OutputKind, number>;
    for (const [k, v] of Object.entries(ratio)) bytes[k as OutputKind] = none * v;
    return { level, pages: Math.round(none / 4096), bytes };
  });
}

function speeds(seed: number, write: number): Speeds {
  const r = lcg(seed);
  return { read: 1e9, write, compress: { 'kdump-zlib': 30e6 + 60e6 * r(), 'kdump-lzo': 200e6 + 300e6 * r(), 'kdump-snappy': 200e6 + 300e6 * r(), 'kdump-zstd': 60e6 + 100e6 * r() } };
}

describe('capture advice', () => {
  it('lists every level × output, fastest first, with time = read + compress + write', () => {
    const c = candidatesFor(levels(1), speeds(1, 100e6));
    expect(c).toHaveLength(32 * OUTPUT_KINDS.length);
    for (let i = 1; i < c.length; i++) expect(c[i]!.seconds).toBeGreaterThanOrEqual(c[i - 1]!.seconds);
    for (const x of c) expect(x.seconds).toBeCloseTo(x.readSeconds + x.compressSeconds + x.writeSeconds, 9);
    expect(c.filter((x) => x.output === 'elf' || x.output === 'kdump-none').every((x) => x.compressSeconds === 0)).toBe(true);
  });

  it('a larger budget never gives a slower recommendation, and every recommendation fits its budget', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const ls = levels(seed);
      const sp = speeds(seed, [20e6, 100e6, 500e6][seed % 3]!);
      const budgets = [undefined, 5e9, 1e9, 5e8, 2e8, 1e8, 5e7, 1e7].map((b) => (b === undefined ? b : b * (0.5 + lcg(seed + 99)())));
      let prev: number | undefined;
      for (const b of budgets) {
        const r = advise(ls, sp, b).recommended;
        if (!r) break;
        if (b !== undefined) expect(r.bytes).toBeLessThanOrEqual(b);
        if (prev !== undefined) expect(r.seconds).toBeGreaterThanOrEqual(prev);
        prev = r.seconds;
      }
    }
  });

  it('a slower write speed never recommends a larger output', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const ls = levels(seed);
      let prevBytes = Infinity;
      for (const write of [2e9, 500e6, 200e6, 100e6, 50e6, 20e6, 5e6, 1e6]) {
        const r = advise(ls, speeds(seed, write)).recommended!;
        expect([seed, write, r.bytes <= prevBytes]).toEqual([seed, write, true]);
        prevBytes = r.bytes;
      }
    }
  });

  it('recommends nothing when no output fits, and the fast write path picks a cheap codec over a slow one', () => {
    expect(advise(levels(3), speeds(3, 100e6), 1).recommended).toBeNull();
    const fast = advise(levels(3), { ...speeds(3, 5e9), compress: { 'kdump-zlib': 10e6, 'kdump-lzo': 1e9, 'kdump-snappy': 1e9, 'kdump-zstd': 10e6 } }).recommended!;
    expect(['kdump-lzo', 'kdump-snappy', 'kdump-none', 'elf']).toContain(fast.output);
  });

  it('config lines for each distribution', () => {
    const lines = configLines(31, 'kdump-lzo');
    expect(lines.map((l) => l.line)).toEqual(['core_collector makedumpfile -l --message-level 7 -d 31', 'MAKEDUMP_ARGS="-l -d 31"', 'KDUMP_DUMPLEVEL="31" KDUMP_DUMPFORMAT="lzo"']);
    expect(configLines(17, 'kdump-zlib')[1]!.line).toBe('MAKEDUMP_ARGS="-c -d 17"');
    expect(configLines(31, 'elf')[2]!.line).toBe('KDUMP_DUMPLEVEL="31" KDUMP_DUMPFORMAT="ELF"');
  });
});
