import type { DumpWarning } from '../api-types.js';
import type { Dump } from '../model/dump.js';
import { isKdumpDump } from '../formats/kdump/read-kdump.js';
import type { DebuggerNeeds, NeededKind, NeededPage } from '../kernel/debugger-needs.js';
import { checkLevel, classOutcome, Outcome } from './dump-level.js';

/** Why a page is left out: its class at the level, in the report's words, or 'absent' when the input itself lacks it. */
export type DropReason = 'cache' | 'cachePrivate' | 'user' | 'free' | 'hwpoison' | 'offline' | 'absent';

/** Pages a kdump-compressed input no longer holds (excluded when it was made), so no level can keep them. */
export type AbsentPages = (pfn: number) => boolean;

export function absentPages(dump: Dump): AbsentPages | undefined {
  if (!isKdumpDump(dump)) return undefined;
  const { bitmap1, bitmap2 } = dump;
  const bit = (b: Uint8Array, pfn: number) => ((b[pfn >> 3] >> (pfn & 7)) & 1) === 1;
  return (pfn) => bit(bitmap1, pfn) && !bit(bitmap2, pfn);
}

const REASON: Partial<Record<Outcome, DropReason>> = {
  [Outcome.Cache]: 'cache',
  [Outcome.CachePrivate]: 'cachePrivate',
  [Outcome.User]: 'user',
  [Outcome.Free]: 'free',
  [Outcome.Hwpoison]: 'hwpoison',
  [Outcome.Offline]: 'offline',
};

export interface DroppedPage extends NeededPage {
  reason: DropReason;
}

export interface KeepCheck {
  level: number;
  /** Needed pages the level leaves out, in the order they were found (symbols, stacks, page tables, per-cpu). */
  dropped: DroppedPage[];
  /** How many needed pages of each kind were checked. */
  checked: Record<NeededKind, number>;
  warnings: DumpWarning[];
}

/**
 * Which of the pages a debugger needs a level leaves out, by page class (and, for a kdump-compressed input, which it
 * lacks already). Zero pages are not counted: kdump output
 * keeps them as the shared zero page, so they read back as the zeros they held.
 */
export function keepCheck(needs: DebuggerNeeds, classMap: Uint8Array, level: number, absent?: AbsentPages): KeepCheck {
  checkLevel(level);
  const checked: Record<NeededKind, number> = { symbol: 0, stack: 0, 'page-table': 0, 'per-cpu': 0 };
  const dropped: DroppedPage[] = [];
  for (const p of needs.pages) {
    checked[p.kind]++;
    if (p.pfn >= classMap.length) continue;
    const reason = absent?.(p.pfn) ? 'absent' : REASON[classOutcome(classMap[p.pfn], level)];
    if (reason) dropped.push({ ...p, reason });
  }
  return { level, dropped, checked, warnings: needs.warnings };
}

/** The number of needed pages each level 0..31 leaves out (distinct objects: one per symbol, stack page, table, per-cpu page). */
export function droppedByLevel(needs: DebuggerNeeds, classMap: Uint8Array, absent?: AbsentPages): number[] {
  const counts = new Array<number>(32).fill(0);
  for (const p of needs.pages) {
    if (p.pfn >= classMap.length) continue;
    if (absent?.(p.pfn)) {
      for (let level = 0; level < 32; level++) counts[level]++;
      continue;
    }
    const code = classMap[p.pfn];
    for (let level = 0; level < 32; level++) if (REASON[classOutcome(code, level)]) counts[level]++;
  }
  return counts;
}
