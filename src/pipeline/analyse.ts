import { CODECS, type CodecId } from '../codecs/registry.js';
import { classifyDump, type ClassifyResult } from '../filter/classify-dump.js';
import { CODE_MASK, Outcome, outcomeTable, ZERO_BIT } from '../filter/dump-level.js';
import { reportForLevel } from '../filter/report.js';
import type { Dump } from '../formats/dump.js';
import { PT_LOAD } from '../formats/elf/elf-constants.js';
import { assignOffsets, elfNoteOffset, planElfLoads, type Phdr } from '../formats/elf-out/write-elf.js';
import { kdumpLayoutFor } from '../formats/kdump/write-kdump.js';
import type { KernelMemory } from '../kernel/kernel-memory.js';
import type { KernelExports } from '../wasm/kernels.js';
import type { ComputePool } from '../workers/pool.js';
import { WINDOW_PAGES, type PagesInput } from '../workers/page-compute.js';
import { pageExtents } from '../formats/page-extents.js';
import { mapOrdered } from './ordered.js';
import { ProgressTracker, type ProgressCallback } from './progress.js';

export const OUTPUT_KINDS = ['kdump-zlib', 'kdump-lzo', 'kdump-snappy', 'kdump-zstd', 'kdump-none', 'elf'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

export interface LevelSizes {
  level: number;
  /** makedumpfile's "Remaining pages" at this level. */
  pages: number;
  /** Exact size in bytes of the file each output would have. */
  bytes: Record<OutputKind, number>;
}

export interface AnalyseResult {
  levels: LevelSizes[];
  /** True when page contents were sampled: page classes are exact, zero pages and compressed sizes extrapolated. */
  estimated: boolean;
  /** The classification, with zero bits for every page (usable for any level's report). */
  classified: ClassifyResult;
}

export interface AnalyseOptions {
  /** Pages per window sent to a worker (default 1024). */
  windowPages?: number;
  /** Read only one window in this many (default 1: every page, exact sizes). */
  sampleEvery?: number;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

const SLOTS = 1 + CODECS.length;
/** Small windows spread the sample over the whole dump; neighbouring pages are too alike to sample in bulk. */
const SAMPLE_WINDOW_PAGES = 16;
const CODEC_KEY: Record<CodecId, OutputKind> = { zlib: 'kdump-zlib', lzo: 'kdump-lzo', snappy: 'kdump-snappy', zstd: 'kdump-zstd' };

interface Window {
  pfn: number;
  count: number;
}

function* windows(classified: ClassifyResult, windowPages: number, sampleEvery: number): Generator<Window> {
  let index = 0;
  for (const r of classified.withData)
    for (let pfn = r.start; pfn < r.end; pfn += windowPages) {
      if (index++ % sampleEvery !== 0) continue;
      yield { pfn, count: Math.min(windowPages, r.end - pfn) };
    }
}

/** A window's pages as a compute task: extents the worker reads itself, or the bytes read here. */
async function pagesOf(dump: Dump, w: Window): Promise<PagesInput> {
  return pageExtents(dump, [[w.pfn, w.pfn + w.count]]) ?? ((await dump.readPhys(w.pfn * dump.pageSize, w.count * dump.pageSize)).slice().buffer as ArrayBuffer);
}

/** Scales the sampled per-class sums up to each class's exact page count; a class never sampled gets the overall average. */
function extrapolate(sums: Float64Array, classified: ClassifyResult): void {
  const exact = new Float64Array(128);
  for (const r of classified.withData) for (let pfn = r.start; pfn < r.end; pfn++) exact[classified.classMap[pfn] & CODE_MASK]++;
  const all = new Float64Array(SLOTS);
  for (let b = 0; b < 256; b++) for (let j = 0; j < SLOTS; j++) all[j] += sums[b * SLOTS + j];
  for (let c = 0; c < 128; c++) {
    const seen = sums[c * SLOTS] + sums[(c | ZERO_BIT) * SLOTS];
    if (exact[c] === 0) continue;
    if (seen === 0) {
      const scale = exact[c] / Math.max(1, all[0]);
      for (let j = 0; j < SLOTS; j++) sums[c * SLOTS + j] = all[j] * scale;
      continue;
    }
    const scale = exact[c] / seen;
    for (const b of [c, c | ZERO_BIT]) for (let j = 0; j < SLOTS; j++) sums[b * SLOTS + j] *= scale;
  }
}

async function* asAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/**
 * One pass over the dump gives the exact size of every output at every dump level: a page's class does
 * not depend on the level, so per-class sums of each codec's stored sizes (measured in the workers)
 * decide every kdump size; ELF sizes follow from makedumpfile's segment plan per level.
 */
export async function analyseDump(
  input: { dump: Dump; km: KernelMemory | undefined; kernels: KernelExports },
  pool: ComputePool,
  opts: AnalyseOptions = {},
): Promise<AnalyseResult> {
  const { dump } = input;
  const ps = dump.pageSize;
  const classified = await classifyDump(dump, input.km, input.kernels, { zeroScan: false, signal: opts.signal });
  const map = classified.classMap;
  // sums[byte * SLOTS + 0] = pages with that class byte (zero bit included); + 1 + i = stored bytes under CODECS[i].
  const sums = new Float64Array(256 * SLOTS);
  const total = classified.withData.reduce((n, r) => n + (r.end - r.start) * ps, 0);
  const sampleEvery = Math.max(1, Math.floor(opts.sampleEvery ?? 1));
  const estimated = sampleEvery > 1;
  const progress = new ProgressTracker('analyse', total / sampleEvery, opts.onProgress);
  const measured = mapOrdered(
    asAsync(windows(classified, Math.min(WINDOW_PAGES, opts.windowPages ?? (estimated ? SAMPLE_WINDOW_PAGES : WINDOW_PAGES)), sampleEvery)),
    pool.size * 2,
    async (w) => {
      const pages = await pagesOf(dump, w);
      return { w, m: await pool.run((api) => api.measure(pages, CODECS)) };
    },
    opts.signal,
  );
  for await (const { w, m } of measured) {
    for (let i = 0; i < w.count; i++) {
      const pfn = w.pfn + i;
      if (m.zero[i]) map[pfn] |= ZERO_BIT;
      const slot = map[pfn] * SLOTS;
      sums[slot]++;
      CODECS.forEach((c, j) => (sums[slot + 1 + j] += m.sizes[c]![i] & 0x7fff_ffff));
    }
    progress.advance(w.count * ps);
  }
  const sampled = sums.slice();
  if (estimated) extrapolate(sums, classified);
  else classified.zeroScanLevels = Array.from({ length: 16 }, (_, i) => 2 * i + 1);
  const zeroPageSizes = await measureZeroPage(pool, ps);

  const noteSize = dump.noteSegment?.fileSize ?? 0;
  const phdrs = sourcePhdrs(dump);
  const inData = new Uint8Array(classified.maxPfn);
  for (const r of classified.withData) inData.fill(1, r.start, r.end);
  const levels: LevelSizes[] = [];
  for (let level = 0; level < 32; level++) {
    const kept = outcomeTable(level & ~1);
    const excludeZero = (level & 1) !== 0;
    let descriptors = 0;
    let zeroKept = 0;
    let zeroKeptSeen = 0;
    const data = new Float64Array(SLOTS);
    for (let b = 0; b < 256; b++) {
      const n = sums[b * SLOTS];
      if (n === 0 || kept[b & CODE_MASK] !== Outcome.Kept) continue;
      descriptors += n;
      if (b & ZERO_BIT) {
        zeroKept += n;
        zeroKeptSeen += sampled[b * SLOTS];
        if (excludeZero) continue;
        data[0] += n * ps;
        CODECS.forEach((c, j) => (data[1 + j] += n * zeroPageSizes[c]));
      } else {
        data[0] += n * ps;
        for (let j = 0; j < CODECS.length; j++) data[1 + j] += sums[b * SLOTS + 1 + j];
      }
    }
    const base = kdumpLayoutFor(ps, noteSize, classified.maxPfn, descriptors).dataOffset + (excludeZero ? ps : 0);
    const bytes = { 'kdump-none': base + data[0], elf: elfSize(dump, classified, inData, phdrs, level, noteSize) } as Record<OutputKind, number>;
    CODECS.forEach((c, j) => (bytes[CODEC_KEY[c]] = base + data[1 + j]));
    const pages = estimated ? reportForLevel(classified, level & ~1).remaining - (excludeZero ? Math.round(zeroKept) : 0) : reportForLevel(classified, level).remaining;
    if (estimated) {
      // Zero pages never read are not in the ELF plan; most zero pages lie in runs long enough to be cut out.
      if (excludeZero) bytes.elf -= (zeroKept - zeroKeptSeen) * ps;
      for (const k of OUTPUT_KINDS) bytes[k] = Math.round(bytes[k]);
    }
    levels.push({ level, pages, bytes });
  }
  return { levels, estimated, classified };
}

/** What one all-zero page costs under each codec (zero pages are stored like any page when bit 1 is off). */
async function measureZeroPage(pool: ComputePool, ps: number): Promise<Record<CodecId, number>> {
  const out = {} as Record<CodecId, number>;
  for (const c of CODECS) {
    const r = await pool.run((api) => api.encode(new ArrayBuffer(ps), c, Uint8Array.of(1)));
    out[c] = r.sizes[0] & 0x7fff_ffff;
  }
  return out;
}

function sourcePhdrs(dump: Dump): Phdr[] {
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
function elfSize(dump: Dump, c: ClassifyResult, inData: Uint8Array, phdrs: Phdr[], level: number, noteSize: number): number {
  const table = outcomeTable(level);
  const loads = planElfLoads(phdrs, dump.pageSize, (pfn) => pfn < c.maxPfn && inData[pfn] === 1 && table[c.classMap[pfn]] === Outcome.Kept);
  const numPhdrs = loads.length + (dump.noteSegment ? 1 : 0);
  return assignOffsets(loads, elfNoteOffset(numPhdrs) + noteSize);
}
