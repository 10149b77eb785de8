/// <reference lib="webworker" />
/**
 * The keep check inside the dump worker: which pages crash and drgn need (kallsyms data, stacks, page tables, per-cpu
 * areas) each dump level would leave out, from the shared classification. Found once per dump, answered per level.
 */
import {
  absentPages,
  type AbsentPages,
  debuggerNeedsOf,
  type DebuggerNeeds,
  droppedByLevel,
  type DropReason,
  type Dump,
  keepCheck,
  type NeededKind,
} from '../../src/browser.js';
import { classificationFor, openedFor } from './jobs.js';

/** Per level, how many needed pages it leaves out; or why the check cannot be made for this dump. */
export type KeepCounts =
  | { available: true; droppedByLevel: number[]; checked: Record<NeededKind, number> }
  | { available: false; reason: string };

export interface KeepLevel {
  level: number;
  /** Why the check could not be made for this dump (then `dropped` is empty and says nothing). */
  unavailable?: string;
  dropped: Array<{ kind: NeededKind; what: string; address: string | null; pfn: number; reason: DropReason }>;
}

interface Prepared {
  needs: DebuggerNeeds;
  classMap: Uint8Array;
  absent: AbsentPages | undefined;
}

let cached: { dump: Dump; prepared: Promise<Prepared | { reason: string }> } | undefined;

function prepare(dump: Dump): Promise<Prepared | { reason: string }> {
  if (cached?.dump !== dump) {
    const prepared = (async () => {
      const { km } = await openedFor(dump);
      const [needs, classified] = await Promise.all([debuggerNeedsOf(dump, km), classificationFor(dump)]);
      if ('unavailable' in needs) return { reason: needs.unavailable };
      return { needs, classMap: classified.classMap, absent: absentPages(dump) };
    })();
    cached = { dump, prepared };
    prepared.catch(() => (cached = undefined));
  }
  return cached.prepared;
}

export async function keepCounts(dump: Dump): Promise<KeepCounts> {
  const p = await prepare(dump);
  if ('reason' in p) return { available: false, reason: p.reason };
  return { available: true, droppedByLevel: droppedByLevel(p.needs, p.classMap, p.absent), checked: keepCheck(p.needs, p.classMap, 0).checked };
}

export async function keepLevel(dump: Dump, level: number): Promise<KeepLevel> {
  const p = await prepare(dump);
  if ('reason' in p) return { level, dropped: [], unavailable: p.reason };
  const c = keepCheck(p.needs, p.classMap, level, p.absent);
  return { level, dropped: c.dropped.map((d) => ({ kind: d.kind, what: d.what, address: d.address === undefined ? null : `0x${d.address.toString(16)}`, pfn: d.pfn, reason: d.reason })) };
}
