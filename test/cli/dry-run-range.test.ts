// --dry-run --range START-END: makedumpfile's report over part of memory. Two adjacent ranges add up to the range
// that joins them; the whole of memory gives the whole report's class counts (with each page frame counted once).
import { describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const skip = realFixturesSkipReason();
const KINDS = ['zero', 'cache', 'cachePrivate', 'user', 'free', 'hwpoison', 'offline', 'remaining', 'original'] as const;

interface Report {
  pages: Record<(typeof KINDS)[number], number>;
  memoryHole: number;
  total: number;
  range?: { start: number; end: number };
}

function report(args: string[]): Report {
  const r = vmsieve(['--dry-run', '--json', ...args]);
  expect([r.status, r.stderr.includes('error')]).toEqual([0, false]);
  return JSON.parse(r.stdout) as Report;
}

describe.skipIf(skip)(`--dry-run --range${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(realFixtures().slice(0, 2).map((f) => [f.name, f] as const))('%s: ranges add up, and all of memory is the whole report', (_n, f) => {
    const whole = report(['-d', '31', f.vmcore]);
    const all = report(['-d', '31', '--range', `0-${whole.total}`, f.vmcore]);
    expect(all.range).toEqual({ start: 0, end: whole.total });
    for (const k of ['zero', 'cache', 'cachePrivate', 'user', 'free', 'hwpoison', 'offline'] as const) expect([k, all.pages[k]]).toEqual([k, whole.pages[k]]);
    // Frames in two PT_LOADs (kdump's kernel image) count once here, twice in makedumpfile's "Original pages".
    expect(all.pages.original).toBeLessThanOrEqual(whole.pages.original);
    expect(all.pages.original + all.memoryHole).toBe(whole.total);
    const cut = Math.floor(whole.total / 3);
    const [low, high] = [report(['-d', '31', '--range', `0-0x${cut.toString(16)}`, f.vmcore]), report(['-d', '31', '--range', `${cut}-${whole.total}`, f.vmcore])];
    for (const k of KINDS) expect([k, low.pages[k] + high.pages[k]]).toEqual([k, all.pages[k]]);
    expect(low.total + high.total).toBe(whole.total);
  });

  it('refuses a range outside memory, backwards, or without --dry-run', () => {
    const f = realFixtures()[0]!;
    for (const [args, message] of [
      [['--dry-run', '-d', '31', '--range', '5-5', f.vmcore], 'START < END'],
      [['--dry-run', '-d', '31', '--range', '0x10', f.vmcore], 'START-END'],
      [['--dry-run', '-d', '31', '--range', '0-999999999', f.vmcore], 'is not inside'],
      [['--info', '--range', '0-5', f.vmcore], '--range goes with --dry-run'],
    ] as const) {
      const r = vmsieve([...args]);
      expect([r.status, r.stderr]).toEqual([2, expect.stringContaining(message)]);
    }
  });
});
