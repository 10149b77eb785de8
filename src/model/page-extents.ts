import type { PageExtents } from '../io/source-ref.js';
import type { Dump, LoadSegment } from './dump.js';

export type PfnRun = readonly [start: number, end: number];

/**
 * Where runs of whole pages of an ELF vmcore lie in its file, so that a compute worker can read them itself.
 * Pages follow makedumpfile's readpage_elf: the first PT_LOAD in header order holding an address wins, and bytes
 * past a segment's p_filesz or outside every segment read as zero. Undefined when the pages are not plain file bytes
 * (a kdump-compressed input) or the source offers workers no way in.
 */
export function pageExtents(dump: Dump, runs: Iterable<PfnRun>): PageExtents | undefined {
  const ps = dump.pageSize;
  const list = [...runs];
  const found = byteExtents(dump, list.map(([start, end]) => [start * ps, (end - start) * ps] as const));
  return found && { ...found, pages: list.reduce((n, [start, end]) => n + end - start, 0) };
}

/** The same for runs of physical bytes (offset, length), not whole pages: the struct page records a worker classifies. */
export function byteExtents(dump: Dump, runs: Iterable<readonly [phys: number, length: number]>): Omit<PageExtents, 'pages'> | undefined {
  const ref = workersCanRead(dump) ? dump.source.ref?.() : undefined;
  if (!ref) return undefined;
  const out: number[] = [];
  const push = (offset: number, length: number) => {
    const n = out.length;
    const merges = n > 0 && (offset === -1 ? out[n - 2] === -1 : out[n - 2] !== -1 && out[n - 2]! + out[n - 1]! === offset);
    if (merges) out[n - 1]! += length;
    else out.push(offset, length);
  };
  for (const [phys, length] of runs) {
    const stop = phys + length;
    for (let at = phys; at < stop; ) {
      const { seg, until } = segmentFrom(dump.loads, at, stop);
      const n = until - at;
      if (!seg) push(-1, n);
      else {
        const rel = at - seg.physStart;
        const inFile = Math.max(0, Math.min(n, seg.fileSize - rel));
        if (inFile > 0) push(seg.fileOffset + rel, inFile);
        if (n > inFile) push(-1, n - inFile);
      }
      at = until;
    }
  }
  return { ref, extents: Float64Array.from(out) };
}

/** Whether compute workers can read the dump's pages themselves (an ELF vmcore whose source gives them a way in). */
export function workersCanRead(dump: Dump): boolean {
  return dump.format === 'elf' && dump.source.ref?.() !== undefined;
}

/** The segment that serves `at` and how far it keeps serving (until an earlier-listed segment takes over or `stop`). */
function segmentFrom(loads: readonly LoadSegment[], at: number, stop: number): { seg: LoadSegment | undefined; until: number } {
  const index = loads.findIndex((l) => at >= l.physStart && at < l.physEnd);
  const seg = index < 0 ? undefined : loads[index];
  let until = seg ? Math.min(stop, seg.physEnd) : stop;
  const rivals = index < 0 ? loads.length : index;
  for (let i = 0; i < rivals; i++) if (loads[i]!.physStart > at && loads[i]!.physStart < until) until = loads[i]!.physStart;
  return { seg, until };
}

/** The pages of `runs` (`count` in all), read here and put back to back. */
export async function readRuns(dump: Dump, runs: readonly PfnRun[], count: number): Promise<Uint8Array> {
  const ps = dump.pageSize;
  if (runs.length === 1) return dump.readPhys(runs[0]![0] * ps, count * ps);
  const pages = new Uint8Array(count * ps);
  let at = 0;
  for (const [start, end] of runs) {
    pages.set(await dump.readPhys(start * ps, (end - start) * ps), at);
    at += (end - start) * ps;
  }
  return pages;
}
