import { lowerLines, type LogRows } from './log-rows.js';
import { ALL_LEVELS, firstMatchFrom, indexOfSorted, matchPositions, shownRows, stepMatch } from './log-search.js';
import { ROW } from './virtual-rows.js';

const NO_MATCHES = new Int32Array(0);

/** What the kernel log view shows of its rows: the search, the filters, the current match, the picked row. */
export class LogView {
  query = $state('');
  onlyMatching = $state(false);
  /** Show rows whose level is at most this (records of unknown level always show). */
  maxLevel = $state(ALL_LEVELS);
  /** Index into `matches` of the current match, -1 for none. */
  cur = $state(-1);
  /** The row picked from outside ("Show in the kernel log"), by row index so filters do not move it. */
  selectedRow = $state(-1);
  /** How far the list is scrolled (CSS px); the list keeps it. */
  scrollTop = $state(0);

  readonly #rows: () => LogRows;

  constructor(rows: () => LogRows) {
    this.#rows = rows;
  }

  get rows(): LogRows {
    return this.#rows();
  }

  readonly needle = $derived(this.query.toLowerCase());

  /** Row indices shown, in order; null = all rows. */
  readonly shown = $derived.by<Int32Array | null>(() => {
    const rows = this.rows;
    const needle = this.needle;
    return shownRows(rows.level, this.maxLevel, this.onlyMatching && needle !== '' ? lowerLines(rows) : null, needle);
  });

  readonly count = $derived(this.shown ? this.shown.length : this.rows.count);

  /** Positions (in the shown list) of the rows that contain the search text. */
  readonly matches = $derived(this.needle === '' ? NO_MATCHES : matchPositions(lowerLines(this.rows), this.shown, this.needle));

  /** The current match's position in the shown list, -1 for none. */
  readonly curPos = $derived(this.cur >= 0 && this.cur < this.matches.length ? this.matches[this.cur] : -1);

  /** The row at position `p` of the shown list. */
  rowAt(p: number): number {
    const shown = this.shown;
    return shown ? shown[p] : p;
  }

  /** The position of row `row` in the shown list, -1 when the filters hide it. */
  positionOf(row: number): number {
    const shown = this.shown;
    return shown ? indexOfSorted(shown, row) : row;
  }

  /** Makes the next (1) or previous (-1) match current; returns its position, or -1 without matches. */
  step(delta: number): number {
    if (this.matches.length === 0) return -1;
    this.cur = stepMatch(this.cur, delta, this.matches.length);
    return this.matches[this.cur];
  }

  /**
   * Makes the first match at or below the top of the view current, so typing does not jump back to the start of the
   * log; returns its position, or -1 without matches.
   */
  matchFromView(): number {
    this.cur = firstMatchFrom(this.matches, Math.floor(this.scrollTop / ROW));
    return this.cur >= 0 ? this.matches[this.cur] : -1;
  }

  clearSearch(): void {
    this.query = '';
    this.cur = -1;
  }

  clearFilters(): void {
    this.onlyMatching = false;
    this.maxLevel = ALL_LEVELS;
  }
}
