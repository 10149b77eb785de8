import { describe, expect, it } from 'vitest';
import { layoutLabel, levelTone, logRows, lowerLines } from '../../web/lib/log-rows.js';
import { firstMatchFrom, indexOfSorted, matchPositions, rowPieces, shownRows, stepMatch } from '../../web/lib/log-search.js';
import { revealTop, ROW, rowWindow, scrollForKey } from '../../web/lib/virtual-rows.js';

const log = {
  records: [
    { time: '0.000000', text: 'Linux version 6.1', level: 5 },
    { time: '8.670188', text: 'Kernel panic - not syncing\nCPU: 0 PID: 1', level: 0 },
    { time: '8.700000', text: 'debug chatter', level: 7 },
    { time: '9.000000', text: 'no level' },
  ],
  plainLines: null,
};

describe('logRows', () => {
  it('gives each record a row per line, the timestamp on the first and a blank indent on the others', () => {
    const r = logRows(log);
    expect(r.count).toBe(5);
    expect(r.line[1]).toBe('[    8.670188] Kernel panic - not syncing');
    expect(r.line[2]).toBe(`${' '.repeat(15)}CPU: 0 PID: 1`);
    expect([...r.prefix]).toEqual([15, 15, 15, 15, 15]);
    expect([...r.level]).toEqual([5, 0, 0, 7, -1]);
    expect([...r.recStart]).toEqual([0, 1, 3, 4]);
  });

  it('shows a plain-text log line by line, without timestamps or levels', () => {
    const r = logRows({ records: [], plainLines: ['<6>one', 'two'] });
    expect(r).toMatchObject({ line: ['<6>one', 'two'], count: 2 });
    expect([...r.prefix]).toEqual([0, 0]);
    expect([...r.level]).toEqual([-1, -1]);
  });

  it('lower-cases the rows once per log', () => {
    const r = logRows(log);
    expect(lowerLines(r)[0]).toBe('[    0.000000] linux version 6.1');
    expect(lowerLines(r)).toBe(lowerLines(r));
  });

  it('tones rows by syslog level and names the layouts', () => {
    expect([-1, 0, 2, 3, 4, 5, 6, 7].map(levelTone)).toEqual(['', 'crit', 'crit', 'err', 'warn', '', '', 'debug']);
    expect(layoutLabel('printk_ringbuffer')).toBe('lockless ring (5.10+)');
    expect(layoutLabel('log_end')).toBe('plain log_buf');
    expect(layoutLabel(null)).toBe('');
  });
});

describe('log search', () => {
  const r = logRows(log);
  const lower = lowerLines(r);

  it('shows every row without filters, and filters by level (unknown levels always pass) and by text', () => {
    expect(shownRows(r.level, 7, null, '')).toBeNull();
    expect([...shownRows(r.level, 4, null, '')!]).toEqual([1, 2, 4]);
    expect([...shownRows(r.level, 7, lower, 'pid')!]).toEqual([2]);
    expect([...shownRows(r.level, 4, lower, 'e')!]).toEqual([1, 4]);
  });

  it('finds matches as positions in the shown list', () => {
    expect([...matchPositions(lower, null, 'n')]).toEqual([0, 1, 4]);
    expect([...matchPositions(lower, Int32Array.from([1, 2, 4]), 'n')]).toEqual([0, 2]);
  });

  it('finds a row in the shown list, steps round the matches and starts from the view', () => {
    expect(indexOfSorted(Int32Array.from([1, 2, 4, 9]), 4)).toBe(2);
    expect(indexOfSorted(Int32Array.from([1, 2, 4, 9]), 3)).toBe(-1);
    expect([stepMatch(-1, 1, 3), stepMatch(-1, -1, 3), stepMatch(2, 1, 3), stepMatch(0, -1, 3)]).toEqual([0, 2, 0, 2]);
    const m = Int32Array.from([3, 10, 40]);
    expect([firstMatchFrom(m, 0), firstMatchFrom(m, 11), firstMatchFrom(m, 41), firstMatchFrom(new Int32Array(0), 0)]).toEqual([0, 2, 0, -1]);
  });

  it('cuts a row into timestamp, text and marked pieces, a match across the timestamp split in two', () => {
    const line = r.line[1];
    expect(rowPieces(line, 15, lower[1], '')).toEqual([
      { t: '[    8.670188] ', mark: false, ts: true },
      { t: 'Kernel panic - not syncing', mark: false, ts: false },
    ]);
    expect(rowPieces(line, 15, lower[1], '] kernel')).toEqual([
      { t: '[    8.670188', mark: false, ts: true },
      { t: '] ', mark: true, ts: true },
      { t: 'Kernel', mark: true, ts: false },
      { t: ' panic - not syncing', mark: false, ts: false },
    ]);
    expect(rowPieces('aXa', 0, 'axa', 'a').filter((p) => p.mark)).toHaveLength(2);
  });

  it('searches the line as it is when lower-casing changed its length', () => {
    const line = 'İx';
    expect(line.toLowerCase().length).not.toBe(line.length);
    expect(rowPieces(line, 0, line.toLowerCase(), 'x')).toEqual([
      { t: 'İ', mark: false, ts: false },
      { t: 'x', mark: true, ts: false },
    ]);
  });
});

describe('virtual rows', () => {
  it('renders the rows in view plus a margin, within the list', () => {
    expect(rowWindow(0, 480, 1000)).toEqual({ first: 0, last: 36 });
    expect(rowWindow(100 * ROW, 480, 1000)).toEqual({ first: 88, last: 136 });
    expect(rowWindow(0, 480, 5)).toEqual({ first: 0, last: 5 });
  });

  it('scrolls a row into the middle only when it is out of view', () => {
    expect(revealTop(3, 0, 200)).toBeNull();
    expect(revealTop(9, 0, 200)).toBeNull(); // its bottom edge is the view's
    expect(revealTop(10, 0, 200)).toBe(10 * ROW - 90);
    expect(revealTop(1, 400, 200)).toBe(0);
  });

  it('maps the scrolling keys, a page being the whole rows in view less one', () => {
    const el = { scrollTop: 100, clientHeight: 205, scrollHeight: 9000 };
    expect(scrollForKey('PageDown', el)).toBe(100 + 9 * ROW);
    expect(scrollForKey('PageUp', el)).toBe(100 - 9 * ROW);
    expect(scrollForKey('Home', el)).toBe(0);
    expect(scrollForKey('End', el)).toBe(9000);
    expect(scrollForKey('ArrowDown', el)).toBe(100 + ROW);
    expect(scrollForKey('ArrowUp', el)).toBe(100 - ROW);
    expect(scrollForKey('a', el)).toBeNull();
    expect(scrollForKey('PageDown', { ...el, clientHeight: 10 })).toBe(100 + ROW);
  });
});
