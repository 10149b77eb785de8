import { VmsieveError } from '../../errors.js';
import type { ByteSink } from '../../io/sink.js';
import { KernelMemory } from '../../kernel/kernel-memory.js';
import type { Dump } from '../../model/dump.js';
import { Fields } from '../../model/byte-order.js';
import { visitedRanges } from '../../model/page-extents.js';
import {
  ELF64_EHDR_SIZE,
  ELF64_PHDR_SIZE,
  ELF64_SHDR_SIZE,
  ELFDATA2LSB,
  ELFDATA2MSB,
  ET_CORE,
  PN_XNUM,
  PT_LOAD,
  PT_NOTE,
} from '../../model/elf-constants.js';
import { readElfHeader } from '../elf/read-elf.js';
import type { SourceDump } from '../kdump/write-kdump.js';
import { isKdumpDump } from '../kdump/read-kdump.js';
import { bitmapFileLookup } from './bitmap-file-lookup.js';
import { bitRuns, clearBit, testBit, trimmedBitmap, type PageSelection } from '../selection.js';
import { isZeroPage } from '../zero-page.js';

/** makedumpfile's PFN_EXCLUDED: only runs of this many excluded pages are left out of the file. */
export const PFN_EXCLUDED = 256;
const NOT_PADDR = 0xffff_ffff_ffff_ffffn;

/** One program header, 64-bit fields as bigint where they may exceed 2^53. */
export interface Phdr {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
  align: bigint;
}

/** An output PT_LOAD and where its file bytes come from. */
export interface PlannedLoad {
  phdr: Phdr;
  /** Index of the source PT_LOAD whose bytes fill it. */
  source: number;
  /** makedumpfile sets p_offset = 0 for a split-off segment without data, but not for the last piece of a source segment. */
  zeroOffsetIfEmpty: boolean;
}

export interface ElfWriteOptions {
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface ElfWriteResult {
  fileSize: number;
  /** PT_LOADs written (the PT_NOTE not counted). */
  loads: number;
  extendedNumbering: boolean;
  /** Dumpable pages found zero-filled and excluded (when selection.excludeZero). */
  zeroPages: number;
  /** Pages really left out of the file (runs of ≥ 256 excluded pages, and excluded segment tails). */
  excludedPages: number;
}

export function encodePhdr(v: Fields, at: number, p: Phdr): void {
  v.setU32(at, p.type);
  v.setU32(at + 4, p.flags);
  v.setU64(at + 8, BigInt(p.offset));
  v.setU64(at + 16, BigInt.asUintN(64, p.vaddr));
  v.setU64(at + 24, BigInt.asUintN(64, p.paddr));
  v.setU64(at + 32, BigInt(p.filesz));
  v.setU64(at + 40, BigInt(p.memsz));
  v.setU64(at + 48, p.align);
}

function decodePhdr(v: Fields, at: number): Phdr {
  return {
    type: v.u32(at),
    flags: v.u32(at + 4),
    offset: Number(v.u64(at + 8)),
    vaddr: v.u64(at + 16),
    paddr: v.u64(at + 24),
    filesz: Number(v.u64(at + 32)),
    memsz: Number(v.u64(at + 40)),
    align: v.u64(at + 48),
  };
}

/**
 * makedumpfile's PT_LOAD splitting (write_elf_pages_cyclic), for each source PT_LOAD in order: pages
 * are kept with their content unless a run of ≥ 256 excluded pages ends the segment before it (then
 * p_filesz < p_memsz and a new segment starts at the next dumpable page). Excluded pages at the end
 * of a source segment are never in the file. Offsets are filled in by assignOffsets.
 */
export function planElfLoads(sourceLoads: Phdr[], pageSize: number, dumpable: (pfn: number) => boolean, runEnd: RunEnd = scanRunEnd(dumpable)): PlannedLoad[] {
  const out: PlannedLoad[] = [];
  const ps = BigInt(pageSize);
  sourceLoads.forEach((src, index) => {
    if (src.type !== PT_LOAD || src.paddr === NOT_PADDR) return;
    const load: Phdr = { ...src };
    let pfnStart = Number(src.paddr / ps);
    let pfnEnd = Number((src.paddr + BigInt(src.memsz)) / ps);
    const fracHead = pageSize - Number(src.paddr % ps);
    const fracTail = Number((src.paddr + BigInt(src.memsz)) % ps);
    let numExcluded = 0;
    let memsz = 0;
    let filesz = 0;
    if (fracHead && fracHead !== pageSize) {
      memsz = fracHead;
      filesz = fracHead;
      pfnStart++;
    }
    if (fracTail) pfnEnd++;
    // A partial last page is a run of its own (it adds fracTail, not a page).
    const wholeEnd = fracTail ? pfnEnd - 1 : pfnEnd;
    for (let pfn = pfnStart; pfn < pfnEnd; ) {
      const last = pfn === wholeEnd;
      const end = last ? pfnEnd : runEnd(pfn, wholeEnd);
      const n = end - pfn;
      const size = last ? fracTail : pageSize;
      if (!dumpable(pfn)) {
        numExcluded += n;
        memsz += last ? fracTail : n * pageSize;
        pfn = end;
        continue;
      }
      // The run's first page settles the pages excluded before it; the rest simply extend the segment.
      if (!numExcluded) {
        memsz += size;
        filesz += size;
      } else if (numExcluded < PFN_EXCLUDED) {
        memsz += size;
        filesz += pageSize * numExcluded + size;
        numExcluded = 0;
      } else {
        out.push({ phdr: { ...load, memsz, filesz }, source: index, zeroOffsetIfEmpty: true });
        load.paddr += BigInt(memsz);
        load.vaddr += BigInt(memsz);
        numExcluded = 0;
        memsz = pageSize;
        filesz = pageSize;
      }
      memsz += (n - 1) * pageSize;
      filesz += (n - 1) * pageSize;
      pfn = end;
    }
    out.push({ phdr: { ...load, memsz, filesz }, source: index, zeroOffsetIfEmpty: false });
  });
  return out;
}

/** The end of the run of pfns from `pfn` (not past `limit`) that are all dumpable or all not. */
export type RunEnd = (pfn: number, limit: number) => number;

/** A RunEnd that asks about every pfn (callers with a cheaper way to find runs pass their own). */
function scanRunEnd(dumpable: (pfn: number) => boolean): RunEnd {
  return (pfn, limit) => {
    const d = dumpable(pfn);
    let end = pfn + 1;
    while (end < limit && dumpable(end) === d) end++;
    return end;
  };
}

/** Where the copied notes start: after the ELF header, the program headers and, with extended numbering, section header 0. */
export function elfNoteOffset(numPhdrs: number): number {
  return ELF64_EHDR_SIZE + ELF64_PHDR_SIZE * numPhdrs + (numPhdrs >= PN_XNUM ? ELF64_SHDR_SIZE : 0);
}

/** Lays the PT_LOAD data out back to back from `dataOffset`, as makedumpfile does. Returns the end. */
export function assignOffsets(loads: PlannedLoad[], dataOffset: number): number {
  let off = dataOffset;
  for (const l of loads) {
    l.phdr.offset = l.phdr.filesz === 0 && l.zeroOffsetIfEmpty ? 0 : off;
    off += l.phdr.filesz;
  }
  return off;
}

interface ElfSourceHeaders {
  ehdr: Uint8Array;
  phdrs: Phdr[];
  note: Phdr | undefined;
}

async function sourceHeaders(dump: SourceDump): Promise<ElfSourceHeaders> {
  if (dump.format === 'elf') {
    const eh = await readElfHeader(dump.source);
    const ehdr = (await dump.source.read(0, ELF64_EHDR_SIZE)).slice();
    const raw = await dump.source.read(eh.phoff, eh.phnum * ELF64_PHDR_SIZE);
    const v = new Fields(raw, dump.arch.byteOrder);
    const phdrs = Array.from({ length: eh.phnum }, (_, i) => decodePhdr(v, i * ELF64_PHDR_SIZE));
    return { ehdr, phdrs, note: phdrs.find((p) => p.type === PT_NOTE) };
  }
  // A kdump-compressed input has no ELF headers: make kexec-like ones (RAM runs of the 1st bitmap).
  const ehdr = new Uint8Array(ELF64_EHDR_SIZE);
  const v = new Fields(ehdr, dump.arch.byteOrder);
  ehdr.set([0x7f, 0x45, 0x4c, 0x46, 2, dump.arch.byteOrder === 'little' ? ELFDATA2LSB : ELFDATA2MSB, 1]);
  v.setU16(16, ET_CORE);
  v.setU16(18, dump.arch.elfMachine);
  v.setU32(20, 1);
  v.setU64(32, 64n);
  v.setU16(52, ELF64_EHDR_SIZE);
  v.setU16(54, ELF64_PHDR_SIZE);
  const pageOffset = await directMapBase(dump);
  const phdrs: Phdr[] = dump.loads.map((l) => ({
    type: PT_LOAD,
    flags: 7,
    offset: 0,
    vaddr: pageOffset === undefined ? BigInt(l.physStart) : pageOffset + BigInt(l.physStart),
    paddr: BigInt(l.physStart),
    filesz: l.physEnd - l.physStart,
    memsz: l.physEnd - l.physStart,
    align: 0n,
  }));
  const note: Phdr | undefined = dump.noteSegment
    ? { type: PT_NOTE, flags: 0, offset: 0, vaddr: 0n, paddr: 0n, filesz: dump.noteSegment.fileSize, memsz: dump.noteSegment.fileSize, align: 0n }
    : undefined;
  return { ehdr, phdrs, note };
}

/** The direct map's base (page_offset): VMCOREINFO's mem_section pointer lives there; undefined if unknown. */
async function directMapBase(dump: SourceDump): Promise<bigint | undefined> {
  const va = dump.vmcoreinfo?.symbol('mem_section');
  if (va === undefined || va >= 0xffffffff80000000n) return undefined;
  try {
    const pa = await KernelMemory.open(dump as Dump).virtToPhys(va);
    const base = va - BigInt(pa);
    return base % (1n << 30n) === 0n ? base : undefined;
  } catch {
    return undefined;
  }
}

/**
 * makedumpfile's zero-page pass for ELF output (exclude_zero_pages_cyclic): the layout depends on which
 * pages are zero, so they are found before anything is written. Returns the refined 2nd bitmap. Only a page that
 * starts inside some PT_LOAD's file data is looked at (is_in_segs), and it is read as readpage_elf reads it: a
 * PT_LOAD's partial last page, which the 1st bitmap holds when makedumpfile keeps it in a file, ends in zeros.
 */
async function excludeZeroPages(dump: SourceDump, selection: PageSelection, signal?: AbortSignal): Promise<{ bitmap: Uint8Array; zeroPages: number }> {
  const ps = dump.pageSize;
  const bitmap = trimmedBitmap(selection.bitmap2, selection.maxPfn);
  const inSegs = visitedRanges(dump.loads, ps, selection.maxPfn);
  const runs = (function* () {
    for (const r of inSegs)
      for (const [s, e] of bitRuns(selection.bitmap2, r.start, r.end)) for (let p = s; p < e; p += 256) yield [p, Math.min(e, p + 256)] as const;
  })();
  let zeroPages = 0;
  for (const [s, e] of runs) {
    if (signal?.aborted) throw new VmsieveError('E_CANCELLED', 'export cancelled');
    let buf: Uint8Array;
    try {
      buf = await dump.readPhys(s * ps, (e - s) * ps);
    } catch (err) {
      if ((err as VmsieveError).code !== 'E_NOT_IN_DUMP') throw err;
      continue; // pages a kdump-compressed input does not hold
    }
    for (let pfn = s; pfn < e; pfn++)
      if (isZeroPage(buf, (pfn - s) * ps, ps)) {
        clearBit(bitmap, pfn);
        zeroPages++;
      }
  }
  return { bitmap, zeroPages };
}

const CHUNK = 1 << 20;

/**
 * Writes an ELF vmcore (makedumpfile -E): the source ELF header (e_phnum updated; program headers
 * moved to offset 64 and section headers dropped if the source had them elsewhere), PT_NOTE then the
 * PT_LOADs, extended numbering (e_phnum = PN_XNUM, count in section header 0's sh_info, which sits
 * between the program headers and the notes) when there are ≥ 0xffff, the notes verbatim, then the
 * data of each PT_LOAD back to back. The caller owns the sink.
 */
export async function writeElf(dump: SourceDump, selection: PageSelection, sink: ByteSink, options: ElfWriteOptions = {}): Promise<ElfWriteResult> {
  const ps = dump.pageSize;
  const { ehdr, phdrs, note } = await sourceHeaders(dump);
  let bitmap = trimmedBitmap(selection.bitmap2, selection.maxPfn);
  let zeroPages = 0;
  if (selection.excludeZero) ({ bitmap, zeroPages } = await excludeZeroPages(dump, selection, options.signal));
  const maxPfn = selection.maxPfn;
  const past = bitmapFileLookup(phdrs, ps, maxPfn, dump.maxPfnFromLoads);
  const bitOn = (pfn: number | undefined) => pfn !== undefined && pfn < maxPfn && testBit(bitmap, pfn);
  const dumpable = (pfn: number) => bitOn(pfn < past.from ? pfn : past.bitFor(pfn));

  const loads = planElfLoads(phdrs, ps, dumpable);
  const numPhdrs = loads.length + (note ? 1 : 0);
  const xnum = numPhdrs >= PN_XNUM;
  const shdrOffset = ELF64_EHDR_SIZE + ELF64_PHDR_SIZE * numPhdrs;
  const noteOffset = elfNoteOffset(numPhdrs);
  const noteSize = note && dump.noteSegment ? dump.noteSegment.fileSize : 0;
  const end = assignOffsets(loads, noteOffset + noteSize);

  // ELF header.
  const ev = new Fields(ehdr, dump.arch.byteOrder);
  const srcPhoff = Number(ev.u64(32));
  const srcShoff = Number(ev.u64(40));
  if (srcPhoff !== ELF64_EHDR_SIZE || srcShoff !== 0 || ev.u16(52) !== ELF64_EHDR_SIZE) {
    // QEMU-style header (section headers first, e_ehsize 8): normalize to what we write.
    ev.setU64(32, BigInt(ELF64_EHDR_SIZE));
    ev.setU64(40, 0n);
    ev.setU16(52, ELF64_EHDR_SIZE);
    ev.setU16(58, 0);
    ev.setU16(60, 0);
    ev.setU16(62, 0);
  }
  ev.setU16(56, xnum ? PN_XNUM : numPhdrs);
  if (xnum) {
    ev.setU64(40, BigInt(shdrOffset));
    ev.setU16(58, ELF64_SHDR_SIZE);
    ev.setU16(60, 1);
    ev.setU16(62, 0);
  }
  await sink.write(0, ehdr);

  // Program headers, then the section header and notes after them: the file front to back.
  const table = new Uint8Array(ELF64_PHDR_SIZE * numPhdrs);
  const tv = new Fields(table, dump.arch.byteOrder);
  let i = 0;
  if (note) encodePhdr(tv, ELF64_PHDR_SIZE * i++, { ...note, offset: noteOffset });
  for (const l of loads) encodePhdr(tv, ELF64_PHDR_SIZE * i++, l.phdr);
  await sink.write(ELF64_EHDR_SIZE, table);
  if (xnum) {
    const sh = new Uint8Array(ELF64_SHDR_SIZE);
    const sv = new Fields(sh, dump.arch.byteOrder);
    sv.setU64(32, 1n); // sh_size = e_shnum
    sv.setU32(40, 0); // sh_link = e_shstrndx
    sv.setU32(44, numPhdrs); // sh_info = real e_phnum
    await sink.write(shdrOffset, sh);
  }
  if (note && dump.noteSegment) await sink.write(noteOffset, (await dump.source.read(dump.noteSegment.fileOffset, noteSize)).slice());

  // Segment data.
  const total = end - (noteOffset + noteSize);
  let done = 0;
  let excludedPages = 0;
  for (const l of loads) {
    excludedPages += Math.floor((l.phdr.memsz - l.phdr.filesz) / ps);
    const src = phdrs[l.source]!;
    for (let at = 0; at < l.phdr.filesz; at += CHUNK) {
      if (options.signal?.aborted) throw new VmsieveError('E_CANCELLED', 'export cancelled');
      const n = Math.min(CHUNK, l.phdr.filesz - at);
      const paddr = Number(l.phdr.paddr) + at;
      await sink.write(l.phdr.offset + at, await readSegment(dump, src, paddr, n));
      done += n;
      options.onProgress?.(done, total);
    }
  }
  return { fileSize: end, loads: loads.length, extendedNumbering: xnum, zeroPages, excludedPages };
}

/** Bytes [paddr, paddr+n) of one source segment: its own file range for an ELF input (makedumpfile reads the segment it is splitting). */
async function readSegment(dump: SourceDump, src: Phdr, paddr: number, n: number): Promise<Uint8Array> {
  if (!isKdumpDump(dump)) {
    const rel = paddr - Number(src.paddr);
    const inFile = Math.max(0, Math.min(n, src.filesz - rel));
    if (inFile === n) return dump.source.read(src.offset + rel, n);
    const out = new Uint8Array(n);
    if (inFile > 0) out.set(await dump.source.read(src.offset + rel, inFile));
    return out;
  }
  const out = new Uint8Array(n);
  // kdump input: page by page; excluded pages inside short runs read as zero.
  const ps = dump.pageSize;
  for (let at = 0; at < n; ) {
    const a = paddr + at;
    const len = Math.min(n - at, ps - (a % ps));
    if (dump.isDumpable(Math.floor(a / ps))) out.set(await dump.readPhys(a, len), at);
    at += len;
  }
  return out;
}
