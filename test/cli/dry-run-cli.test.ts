import { describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const skip = realFixturesSkipReason();

describe.skipIf(skip)(`vmsieve --dry-run --show-stats --json on real dumps${skip ? ` (skipped: ${skip})` : ''}`, () => {
  // Small dumps are zero-scanned on the command's own thread unless --num-threads asks for workers: both must agree.
  const cases = realFixtures().flatMap((f) =>
    [
      [1, []],
      [31, []],
      [31, ['--num-threads', '2']],
    ].map(([level, threads]) => [f.name, level as number, (threads as string[]).join(' '), f] as const),
  );
  it.each(cases)('%s -d %i %s equals makedumpfile', (_name, level, threads, f) => {
    const r = vmsieve(['--dry-run', '--show-stats', '--json', '-d', String(level), ...(threads ? threads.split(' ') : []), f.vmcore]);
    expect(r.status).toBe(0);
    const o = f.oracle.counts_by_level[String(level)];
    expect(JSON.parse(r.stdout)).toEqual({
      level,
      pages: {
        original: o.original_pages,
        zero: o.zero_pages,
        cache: o.non_private_cache_pages,
        cachePrivate: o.private_cache_pages,
        user: o.user_process_data_pages,
        free: o.free_pages,
        hwpoison: o.hwpoison_pages,
        offline: o.offline_pages,
        remaining: o.remaining_pages,
      },
      memoryHole: o.memory_hole_pages,
      total: o.total_pages,
    });
  });

  it('prints the report as makedumpfile lays it out without --json', () => {
    const f = realFixtures()[0];
    const r = vmsieve(['--dry-run', '--show-stats', '-d', '31', f.vmcore, '/nonexistent/out']);
    expect(r.status).toBe(0);
    const hex = (n: number) => `0x${n.toString(16).padStart(16, '0')}`;
    expect(r.stdout).toContain(`Remaining pages  : ${hex(f.oracle.counts_by_level['31'].remaining_pages)}`);
    expect(r.stdout).toContain(`Total pages     : ${hex(f.oracle.counts_by_level['31'].total_pages)}`);
  });
});

describe('vmsieve --dry-run usage', () => {
  it('rejects a dump level out of range', () => {
    const r = vmsieve(['--dry-run', '-d', '32', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/between 0 and 31/);
  });
});
