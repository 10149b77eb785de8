import { int } from './format.js';

/** How the page words what a dump level leaves out of the pages crash and drgn need. */

/** The warning lists this many objects, then "and N more". */
export const KEEP_SHOWN = 8;

/** Why a needed page is left out, by the keep check's reason. */
export const DROP_REASONS: Record<string, string> = {
  cache: 'page cache',
  cachePrivate: 'private cache',
  user: 'user data',
  free: 'free',
  hwpoison: 'hwpoison',
  offline: 'offline',
  absent: 'missing from this file',
};

/** "1 page", "2,048 pages". */
export const plural = (n: number, what: string): string => `${int(n)} ${what}${n === 1 ? '' : 's'}`;

/** Of the objects a level leaves out: how many pages they are on, and why those are left out (first seen first). */
export function lossSummary(dropped: readonly { pfn: number; reason: string }[]): { pages: number; reasons: string } {
  return {
    pages: new Set(dropped.map((d) => d.pfn)).size,
    reasons: [...new Set(dropped.map((d) => DROP_REASONS[d.reason]))].join(', '),
  };
}
