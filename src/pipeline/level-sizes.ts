import { CODECS, type CodecId } from '../codecs/registry.js';
import { CODE_MASK, Outcome, outcomeTable, ZERO_BIT } from '../filter/dump-level.js';
import type { Dump, PfnRange } from '../model/dump.js';
import { reportForLevel, type ReportSource } from '../filter/report.js';
import { PT_LOAD } from '../model/elf-constants.js';
import { bitmapFileLookup } from '../formats/elf-out/bitmap-file-lookup.js';
import { assignOffsets, elfNoteOffset, planElfLoads, type Phdr } from '../formats/elf-out/write-elf.js';
import { kdumpLayoutFor } from '../formats/kdump/kdump-plan.js';
import { scaleMeasured, scaleWindows, SIZE, SLOTS, type ClassSums } from './class-sums.js';
import { codecOutput, OUTPUT_KINDS, type OutputKind } from './outputs.js';

export interface LevelSizes {
  level: number;
  /**
   * A kdump-compressed input lacks what its own level left out, so a level that does not include the input's level
   * gives what this one gives (the sizes are this level's, set when it differs from `level`).
   */
  sameAs?: number;
  /** makedumpfile's "Remaining pages" at this level. */
  pages: number;
  /** Size in bytes of the file each output would have (exact unless listed in `estimatedKinds`). */
  bytes: Record<OutputKind, number>;
}

/** What the size model needs of the dump: its shape, never its pages. */
export type DumpShape = Pick<Dump, 'pageSize' | 'loads' | 'noteSegment' | 'maxPfnFromLoads'>;

export interface SizeModelInput {
  dump: DumpShape;
  /** The classification, with the zero bit of every page the pass read and found all zero. */
  classified: ReportSource;
  /** The pages the pass could read (see readableRanges). */
  readable: readonly PfnRange[];
  /** The pass's per-class sums over the pages it read and measured (not changed). */
  seen: ClassSums;
  /** What one all-zero page costs under each codec. */
  zeroPageSizes: Record<CodecId, number>;
  /** Only some windows were read: page counts are scaled up to the class map's. */
  pagesEstimated: boolean;
  /** Only some pages were measured (or read): sizes are scaled up and rounded. */
  sizesEstimated: boolean;
  /** A kdump-compressed input's own level: a level that does not include it gives what their union gives. */
  inputLevel?: number;
}

/**
 * The size model: every output's size at every dump level from per-class sums. A page's class does not depend on the
 * level, so the sums decide every kdump size; ELF sizes follow from makedumpfile's segment plan per level.
 */
export function levelSizes({ dump, classified, readable, seen, zeroPageSizes, pagesEstimated, sizesEstimated, inputLevel }: SizeModelInput): LevelSizes[] {
  const ps = dump.pageSize;
  const sums = seen.slice();
  if (pagesEstimated) scaleWindows(sums, classified, readable);
  if (sizesEstimated) scaleMeasured(sums);
  const noteSize = dump.noteSegment?.fileSize ?? 0;
  const phdrs = sourcePhdrs(dump);
  const inData = new Uint8Array(classified.maxPfn);
  for (const r of readable) inData.fill(1, r.start, r.end);
  const levels: LevelSizes[] = [];
  for (let level = 0; level < 32; level++) {
    const kept = outcomeTable(level & ~1);
    const excludeZero = (level & 1) !== 0;
    let descriptors = 0;
    let zeroKept = 0;
    let zeroKeptSeen = 0;
    const data = new Float64Array(1 + CODECS.length);
    for (let b = 0; b < 256; b++) {
      const n = sums[b * SLOTS]!;
      if (n === 0 || kept[b & CODE_MASK] !== Outcome.Kept) continue;
      descriptors += n;
      if (b & ZERO_BIT) {
        zeroKept += n;
        zeroKeptSeen += seen[b * SLOTS]!;
        if (excludeZero) continue;
        data[0] += n * ps;
        CODECS.forEach((c, j) => (data[1 + j] += n * zeroPageSizes[c]));
      } else {
        data[0] += n * ps;
        for (let j = 0; j < CODECS.length; j++) data[1 + j] += sums[b * SLOTS + SIZE + j]!;
      }
    }
    const base = kdumpLayoutFor(ps, noteSize, classified.maxPfn, descriptors).dataOffset + (excludeZero ? ps : 0);
    const bytes = { 'kdump-none': base + data[0]!, elf: elfSize(dump, classified, inData, phdrs, level, noteSize) } as Record<OutputKind, number>;
    CODECS.forEach((c, j) => (bytes[codecOutput(c)] = base + data[1 + j]!));
    const pages = pagesEstimated ? reportForLevel(classified, level & ~1).remaining - (excludeZero ? Math.round(zeroKept) : 0) : reportForLevel(classified, level).remaining;
    if (pagesEstimated && excludeZero) bytes.elf -= (zeroKept - zeroKeptSeen) * ps; // zero pages never read are not in the ELF plan; most lie in runs long enough to be cut out
    if (sizesEstimated) for (const k of OUTPUT_KINDS) bytes[k] = Math.round(bytes[k]);
    levels.push({ level, pages, bytes });
  }
  if (inputLevel !== undefined)
    for (const l of levels) {
      const as = l.level | inputLevel;
      if (as !== l.level) levels[l.level] = { ...levels[as]!, level: l.level, sameAs: as };
    }
  return levels;
}

function sourcePhdrs(dump: DumpShape): Phdr[] {
  return dump.loads.map((l) => ({
    type: PT_LOAD,
    flags: l.flags,
    offset: l.fileOffset,
    vaddr: l.virtStart,
    paddr: BigInt(l.physStart),
    filesz: l.fileSize,
    memsz: l.physEnd - l.physStart,
    align: 0n,
  }));
}

/** makedumpfile's -E layout at a level: header, program headers, notes, then each planned segment's file bytes. */
function elfSize(dump: DumpShape, c: SizeModelInput['classified'], inData: Uint8Array, phdrs: Phdr[], level: number, noteSize: number): number {
  const table = outcomeTable(level);
  const keep = new Uint8Array(256).map((_, b) => (table[b] === Outcome.Kept ? 1 : 0));
  const map = c.classMap;
  const maxPfn = c.maxPfn;
  const past = bitmapFileLookup(phdrs, dump.pageSize, maxPfn, dump.maxPfnFromLoads);
  const kept = (pfn: number | undefined) => pfn !== undefined && pfn < maxPfn && (inData[pfn]! & keep[map[pfn]!]!) === 1;
  const dumpable = (pfn: number) => kept(pfn < past.from ? pfn : past.bitFor(pfn));
  // The plan asks for runs: find their ends in a tight loop over the class map, not a call per page.
  const runEnd = (pfn: number, limit: number) => {
    if (pfn >= past.from) return pfn + 1;
    if (pfn >= maxPfn) return Math.min(limit, past.from);
    const d = inData[pfn]! & keep[map[pfn]!]!;
    const stop = Math.min(limit, maxPfn);
    let end = pfn + 1;
    while (end < stop && (inData[end]! & keep[map[end]!]!) === d) end++;
    return end === maxPfn && d === 0 ? Math.min(limit, past.from) : end;
  };
  const loads = planElfLoads(phdrs, dump.pageSize, dumpable, runEnd);
  const numPhdrs = loads.length + (dump.noteSegment ? 1 : 0);
  return assignOffsets(loads, elfNoteOffset(numPhdrs) + noteSize);
}
