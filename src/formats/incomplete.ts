import type { DumpWarning } from '../api-types.js';
import type { PfnRange } from '../model/dump.js';

/** How many missing pfn ranges a warning lists before it says "and N more". */
const LISTED_RANGES = 8;

export function mergeRanges(ranges: PfnRange[]): PfnRange[] {
  const out: PfnRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** The warning every command shows for a dump that lacks pages its headers describe. */
export function incompleteWarning(name: string, missing: readonly PfnRange[], why: string): DumpWarning {
  const pages = missing.reduce((n, r) => n + (r.end - r.start), 0);
  const hex = (n: number) => `0x${n.toString(16)}`;
  const listed = missing.slice(0, LISTED_RANGES).map((r) => `${hex(r.start)}-${hex(r.end - 1)}`).join(', ');
  const more = missing.length > LISTED_RANGES ? ` and ${missing.length - LISTED_RANGES} more ranges` : '';
  return {
    code: 'W_INCOMPLETE',
    message: `${name} is incomplete (${why}): ${pages} page${pages === 1 ? '' : 's'} missing, pfn ${listed}${more}; everything read from it lacks those pages`,
  };
}
