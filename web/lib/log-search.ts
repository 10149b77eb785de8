/** Filtering, searching and highlighting the kernel log's rows (see log-rows.ts); rows are found by index. */

/** The most verbose level filter: every row shows. */
export const ALL_LEVELS = 7;

/**
 * Indices of the rows whose level is at most `maxLevel` (unknown levels always pass) and, when `lower` is given,
 * whose lower-cased text contains `needle`; null when every row passes.
 */
export function shownRows(level: Int8Array, maxLevel: number, lower: readonly string[] | null, needle: string): Int32Array | null {
  if (!lower && maxLevel >= ALL_LEVELS) return null;
  const n = level.length;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (level[i] > maxLevel) continue;
    if (lower && !lower[i].includes(needle)) continue;
    out[k++] = i;
  }
  return out.subarray(0, k);
}

/** Positions in the shown list (`shown`, or every row when null) of the rows that contain `needle` (not empty). */
export function matchPositions(lower: readonly string[], shown: Int32Array | null, needle: string): Int32Array {
  const n = shown ? shown.length : lower.length;
  const out = new Int32Array(n);
  let k = 0;
  if (shown) for (let p = 0; p < n; p++) lower[shown[p]].includes(needle) && (out[k++] = p);
  else for (let p = 0; p < n; p++) lower[p].includes(needle) && (out[k++] = p);
  return out.subarray(0, k);
}

/** Where `x` stands in the ascending `a`, or -1. */
export function indexOfSorted(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] === x) return mid;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The first match at or after position `from`, else the first match; -1 without matches. */
export function firstMatchFrom(matches: Int32Array, from: number): number {
  for (let k = 0; k < matches.length; k++) if (matches[k] >= from) return k;
  return matches.length ? 0 : -1;
}

/** Of `count` (at least one) matches, the one `delta` steps from `cur`, round the ends; from none (-1), the first going down, the last going up. */
export function stepMatch(cur: number, delta: number, count: number): number {
  return cur < 0 ? (delta > 0 ? 0 : count - 1) : (cur + delta + count) % count;
}

export interface Piece {
  t: string;
  mark: boolean;
  ts: boolean;
}

/**
 * The row's text cut into timestamp / text / match pieces: `prefix` characters of timestamp, and every `needle`
 * found in `lower` (its lower-cased text) marked.
 */
export function rowPieces(line: string, prefix: number, lower: string, needle: string): Piece[] {
  const out: Piece[] = [];
  const emit = (a: number, b: number, mark: boolean) => {
    if (a < prefix && b > prefix) {
      out.push({ t: line.slice(a, prefix), mark, ts: true }, { t: line.slice(prefix, b), mark, ts: false });
    } else if (b > a) out.push({ t: line.slice(a, b), mark, ts: a < prefix });
  };
  let pos = 0;
  if (needle !== '') {
    // toLowerCase() can change the length of a few characters; then search the line as it is.
    const h = lower.length === line.length ? lower : line;
    for (let at = h.indexOf(needle); at >= 0; at = h.indexOf(needle, at + needle.length)) {
      emit(pos, at, false);
      emit(at, at + needle.length, true);
      pos = at + needle.length;
    }
  }
  emit(pos, line.length, false);
  return out;
}
