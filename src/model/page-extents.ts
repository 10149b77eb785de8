import { appendExtent, type ByteSource } from '../io/source.js';
import type { PageExtents, StoredPages } from '../io/source-ref.js';
import type { Dump, LoadSegment, PfnRange } from './dump.js';

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
  return { ref, extents: fileExtents(dump.loads, runs) };
}

/** (file offset, length) pairs that read `runs` of physical bytes back to back; offset -1 = bytes that read as zero. */
function fileExtents(loads: readonly LoadSegment[], runs: Iterable<readonly [phys: number, length: number]>): Float64Array {
  const out: number[] = [];
  const push = (offset: number, length: number) => appendExtent(out, offset, length);
  for (const [phys, length] of runs) {
    const stop = phys + length;
    for (let at = phys; at < stop; ) {
      const { seg, until } = segmentFrom(loads, at, stop);
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
  return Float64Array.from(out);
}

/**
 * The pages of `runs` as compute workers read them themselves: file extents of an ELF vmcore's, or the stored forms
 * of a kdump-compressed file's to decode; undefined when the workers cannot reach them (they are read here then).
 */
export async function workerPages(dump: Dump, runs: readonly PfnRun[]): Promise<PageExtents | StoredPages | undefined> {
  return pageExtents(dump, runs) ?? (await dump.storedPages?.(runs));
}

/**
 * A compute task's pages: what the worker reads (and decodes) itself when it can reach the dump, else the pages read
 * here in a buffer of their own, to be transferred.
 */
export async function taskPages(dump: Dump, runs: readonly PfnRun[], count: number): Promise<PageExtents | StoredPages | ArrayBuffer> {
  const direct = await workerPages(dump, runs);
  if (direct) return direct;
  const pages = await readRuns(dump, runs, count);
  return (pages.byteOffset === 0 && pages.byteLength === pages.buffer.byteLength ? pages : pages.slice()).buffer as ArrayBuffer;
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

/** The pages of `runs` (`count` in all), read here and put back to back (an ELF vmcore's as readpage_elf reads them). */
export async function readRuns(dump: Dump, runs: readonly PfnRun[], count: number): Promise<Uint8Array> {
  const ps = dump.pageSize;
  const pages = new Uint8Array(count * ps);
  let at = 0;
  for (const [start, end] of runs) {
    pages.set(await dump.readPhys(start * ps, (end - start) * ps), at);
    at += (end - start) * ps;
  }
  return pages;
}

/**
 * `total` bytes of an ELF vmcore's physical memory, `runs` (offset, length) back to back, as makedumpfile's
 * readpage_elf reads them: the first PT_LOAD in header order holding a byte gives it; bytes past a segment's
 * p_filesz or outside every segment are zero.
 */
export async function readElfBytes(source: Pick<ByteSource, 'read'>, loads: readonly LoadSegment[], runs: Iterable<readonly [phys: number, length: number]>, total: number): Promise<Uint8Array> {
  const out = new Uint8Array(total);
  const extents = fileExtents(loads, runs);
  for (let i = 0, at = 0; i < extents.length; at += extents[i + 1]!, i += 2)
    if (extents[i] !== -1) out.set(await source.read(extents[i]!, extents[i + 1]!), at);
  return out;
}

/** The non-empty ranges sorted, those that overlap or touch merged into one. */
export function mergedRanges(ranges: readonly PfnRange[]): PfnRange[] {
  const out: PfnRange[] = [];
  for (const r of ranges.filter((r) => r.start < r.end).sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** Pfns whose page data lies in some PT_LOAD's file image (makedumpfile's is_in_segs, which uses p_filesz). */
export function visitedRanges(loads: readonly LoadSegment[], pageSize: number, maxPfn: number): PfnRange[] {
  return mergedRanges(loads.map((l) => ({ start: Math.ceil(l.physStart / pageSize), end: Math.min(Math.ceil((l.physStart + l.fileSize) / pageSize), maxPfn) })));
}
