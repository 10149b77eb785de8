import type { DumpWarning } from '../../api-types.js';
import { VmsieveError } from '../../errors.js';
import { checkRange, locateSpans, truncated, type ByteSource } from '../../io/source.js';
import type { StoredPages } from '../../io/source-ref.js';
import type { PfnRun } from '../../model/page-extents.js';
import { archForUtsMachine, byteOrderOfUtsMachine } from '../../kernel/arch/index.js';
import { Fields } from '../../model/byte-order.js';
import type { Architecture } from '../../model/architecture.js';
import { VmcoreInfo } from '../../model/vmcoreinfo.js';
import type { Dump, DumpProducer, ElfNote, LoadSegment, PfnRange } from '../../model/dump.js';
import { incompleteWarning } from '../incomplete.js';
import { decodeStoredPage, defaultDecompressors, type Decompressors } from '../../codecs/stored-page.js';
import { parseNotes } from '../elf/notes.js';
import { boundedSize, checkBitmapsAgree, checkNoteNames, checkVmcoreinfoNote } from './consistency.js';
import { bitmapBytes, bitRuns, countBits, forEachRun, testBit, trimmedBitmap, type PageSelection } from '../selection.js';
import {
  DISK_DUMP_HEADER_SIZE,
  DISKDUMP_SIGNATURE,
  DUMP_DH_COMPRESSED_INCOMPLETE,
  KDUMP_SIGNATURE,
  KDUMP_SUB_HEADER_SIZE,
  PAGE_DESC_SIZE,
  decodeDiskDumpHeader,
  decodePageDesc,
  decodeSubHeader,
  utsField,
  type DiskDumpHeader,
  type KdumpSubHeader,
  type PageDesc,
} from './diskdump.js';

export type { PageDecompressor } from '../../codecs/stored-page.js';

export interface ReadKdumpOptions {
  /**
   * Decompressors by codec; zlib defaults to node:zlib in Node and our TypeScript decoder elsewhere,
   * LZO, snappy and zstd to our TypeScript decoders.
   */
  decompressors?: Decompressors;
}

/**
 * A kdump-compressed file seen as a `Dump` (so it can be re-filtered and its dmesg read), plus its
 * headers and bitmaps. `format` is 'kdump'; `loads` are the runs of the 1st bitmap, which have no flat
 * file range (fileOffset -1): read them through readPhys.
 */
export interface KdumpDump extends Omit<Dump, 'format'> {
  readonly format: 'kdump';
  readonly header: DiskDumpHeader;
  /** Present when header_version ≥ 1 (every makedumpfile output). */
  readonly subHeader: KdumpSubHeader | undefined;
  /** max_mapnr (64-bit from the sub header when present). */
  readonly maxPfn: number;
  /** The pfns whose pages this file holds: all of them, or a `makedumpfile --split` member's share. */
  readonly range: PfnRange;
  /** ceil(maxPfn/8) bytes each, bits ≥ maxPfn cleared. */
  readonly bitmap1: Uint8Array;
  /** The pages the file holds: the stored 2nd bitmap without the missing pages of an incomplete file. */
  readonly bitmap2: Uint8Array;
  /** Descriptors in the table (the stored 2nd bitmap's bits). */
  readonly numDumpable: number;
  /** File offset of the page descriptor table. */
  readonly descTableOffset: number;
  readonly eraseinfo: { offset: number; size: number } | undefined;
  isDumpable(pfn: number): boolean;
  /** The page descriptor of a dumpable pfn, or undefined when the pfn is excluded. */
  descriptor(pfn: number): Promise<PageDesc | undefined>;
  /** All descriptors in table order (pfn order). */
  descriptors(): AsyncGenerator<{ pfn: number; desc: PageDesc }>;
  /** One page's contents; E_NOT_IN_DUMP when excluded, E_UNSUPPORTED when its codec has no decompressor. */
  readPage(pfn: number): Promise<Uint8Array>;
  /** Reads and decodes a page from its descriptor. */
  decodePage(pfn: number, desc: PageDesc): Promise<Uint8Array>;
  /** Decodes a page's stored bytes (already read) per its descriptor. */
  decodeStored(pfn: number, desc: PageDesc, data: Uint8Array): Promise<Uint8Array>;
  /** makedumpfile's bitmaps as the writers' input. */
  selection(excludeZero: boolean): PageSelection;
  storedPages(runs: readonly PfnRun[]): Promise<StoredPages | undefined>;
}

/** Narrows a Dump to the kdump-compressed reader's richer view. */
export const isKdumpDump = (d: Dump | KdumpDump): d is KdumpDump => d.format === 'kdump';

/** struct new_utsname: sysname, nodename, release, version, machine, domainname. */
const UTS_MACHINE = 4;

const DESC_CACHE_BLOCK = 1024;
/**
 * The most pfns whose bitmaps are held in memory (256 MiB each): 8 TiB of 4 KiB pages. A header claiming more is
 * refused before anything is read, whatever the file's size (a sparse or flattened file can be larger than its disk).
 */
const MAX_PFNS = 2 ** 31;
/** Runs of the 1st bitmap (memory ranges with holes between them): a real machine has hundreds at most. */
const MAX_MEMORY_RUNS = 1 << 20;
/** makedumpfile's DL_EXCLUDE_ZERO: every zero page's descriptor then points at one shared zero page. */
const DL_EXCLUDE_ZERO = 1;

/** Reads a kdump-compressed file's structure: headers, notes, bitmaps; pages are read on demand. */
export async function readKdumpDump(source: ByteSource, options: ReadKdumpOptions = {}): Promise<KdumpDump> {
  if (source.size < DISK_DUMP_HEADER_SIZE) throw truncated(source, 0, DISK_DUMP_HEADER_SIZE, 'the kdump header');
  const headerBytes = await source.read(0, DISK_DUMP_HEADER_SIZE);
  // The header's own fields are in the dumped machine's byte order, which its utsname names.
  const machine = utsField(headerBytes.subarray(12), UTS_MACHINE);
  const header = decodeDiskDumpHeader(headerBytes, byteOrderOfUtsMachine(machine));
  if (header.signature !== KDUMP_SIGNATURE && header.signature !== DISKDUMP_SIGNATURE)
    throw new VmsieveError('E_UNKNOWN_FORMAT', `${source.name} is not a kdump-compressed dump (signature ${JSON.stringify(header.signature)})`);
  // A machine vmsieve does not read (big-endian ppc64, say) is refused before fields in an unknown byte order are believed.
  const arch = archForUtsMachine(machine, source.name);
  const order = arch.byteOrder;
  const bs = header.blockSize;
  if (!Number.isInteger(Math.log2(bs)) || bs < 4096 || bs > 65536)
    throw new VmsieveError('E_BAD_HEADER', `${source.name}: block_size ${bs} is not a page size`);
  if (header.subHdrSize < 0 || header.bitmapBlocks === 0 || header.headerVersion < 0)
    throw new VmsieveError('E_BAD_HEADER', `${source.name}: implausible kdump header (sub_hdr_size ${header.subHdrSize}, bitmap_blocks ${header.bitmapBlocks})`);

  let subHeader: KdumpSubHeader | undefined;
  if (header.headerVersion >= 1) {
    checkRange(source, bs, KDUMP_SUB_HEADER_SIZE, 'the kdump sub header');
    subHeader = decodeSubHeader(await source.read(bs, KDUMP_SUB_HEADER_SIZE), order);
  }
  const maxPfn = header.headerVersion >= 6 && subHeader ? Number(subHeader.maxMapnr64) : header.maxMapnr;
  if (!Number.isSafeInteger(maxPfn) || maxPfn <= 0 || maxPfn > MAX_PFNS)
    throw new VmsieveError('E_ABSURD_SIZE', `${source.name}: max_mapnr ${maxPfn} is not plausible (vmsieve reads dumps of up to ${MAX_PFNS} pfns)`, { maxPfn });

  const bitmapOffset = (1 + header.subHdrSize) * bs;
  const bitmapArea = header.bitmapBlocks * bs;
  checkRange(source, bitmapOffset, bitmapArea, 'the bitmaps');
  if (bitmapBytes(maxPfn) > bitmapArea)
    throw new VmsieveError('E_BAD_HEADER', `${source.name}: max_mapnr ${maxPfn} needs ${bitmapBytes(maxPfn)} bytes of bitmap but bitmap_blocks gives ${bitmapArea}: the header is corrupt`);
  // Two bitmaps unless the area is too small for both (old diskdump: one bitmap serves as both).
  const half = bitmapArea / 2;
  const partial = bitmapArea >= 2 * Math.ceil(bitmapBytes(maxPfn) / bs) * bs;
  const n = bitmapBytes(maxPfn);
  const bitmap1 = trimmedBitmap(await source.read(bitmapOffset, Math.min(n, bitmapArea)), maxPfn);
  const bitmap2 = partial ? trimmedBitmap(await source.read(bitmapOffset + half, Math.min(n, half)), maxPfn) : bitmap1;
  const descTableOffset = bitmapOffset + bitmapArea;
  // A member of a `makedumpfile --split` set holds the pages of [start_pfn, end_pfn) only, its descriptor table
  // starting with the first of them; its bitmaps are the whole dump's.
  const range = { start: 0, end: maxPfn };
  if (subHeader && subHeader.split !== 0) {
    const v6 = header.headerVersion >= 6;
    range.start = Number(v6 ? subHeader.startPfn64 : subHeader.startPfn);
    range.end = Number(v6 ? subHeader.endPfn64 : subHeader.endPfn);
    if (!(range.start >= 0 && range.start <= range.end && range.end <= maxPfn))
      throw new VmsieveError('E_BAD_HEADER', `${source.name}: split member for pfns 0x${range.start.toString(16)}-0x${range.end.toString(16)} lies outside max_mapnr 0x${maxPfn.toString(16)}`);
  }
  const numDumpable = countBits(bitmap2.subarray(range.start >>> 3), range.end - (range.start & ~7)) - countBits(bitmap2.subarray(range.start >>> 3), range.start & 7);

  let notes: ElfNote[] = [];
  let noteWarning: DumpWarning | undefined;
  let noteSegment: Dump['noteSegment'];
  let noteBytes: Uint8Array | undefined;
  let vmcoreinfo: VmcoreInfo | undefined;
  if (subHeader && header.headerVersion >= 4 && subHeader.sizeNote > 0n) {
    const off = Number(subHeader.offsetNote);
    const size = boundedSize(source.name, 'size_note', subHeader.sizeNote);
    checkRange(source, off, size, 'the ELF notes');
    noteBytes = await source.read(off, size);
    ({ notes, warning: noteWarning } = parseNotes(noteBytes, order, off, source.name));
    checkNoteNames(source.name, notes, off);
    noteSegment = { fileOffset: off, fileSize: size };
  }
  if (subHeader && header.headerVersion >= 3 && subHeader.sizeVmcoreinfo > 0n) {
    const off = Number(subHeader.offsetVmcoreinfo);
    const size = boundedSize(source.name, 'size_vmcoreinfo', subHeader.sizeVmcoreinfo);
    checkRange(source, off, size, 'VMCOREINFO');
    vmcoreinfo = VmcoreInfo.fromNote(await source.read(off, size));
  } else {
    const note = notes.find((x) => x.name === 'VMCOREINFO');
    if (note) vmcoreinfo = VmcoreInfo.fromNote(note.desc);
  }
  // A walk cut short has its warning already (and the notes after the cut are not read): nothing to compare.
  if (noteBytes && !noteWarning && subHeader && header.headerVersion >= 3 && subHeader.sizeVmcoreinfo > 0n) checkVmcoreinfoNote(source.name, noteBytes, order, subHeader);
  let eraseinfo: KdumpDump['eraseinfo'];
  if (subHeader && header.headerVersion >= 5 && subHeader.sizeEraseinfo > 0n) {
    eraseinfo = { offset: Number(subHeader.offsetEraseinfo), size: boundedSize(source.name, 'size_eraseinfo', subHeader.sizeEraseinfo) };
    checkRange(source, eraseinfo.offset, eraseinfo.size, 'the eraseinfo');
  }

  const warnings: DumpWarning[] = noteWarning ? [noteWarning] : [];
  if (vmcoreinfo) warnings.push(...vmcoreinfo.conflictWarning(source.name));
  checkBitmapsAgree(source.name, bitmap1, bitmap2);
  const infoPhysBase = vmcoreinfo?.has('NUMBER(phys_base)') ? BigInt.asUintN(64, vmcoreinfo.number('phys_base')!) : undefined;
  if (subHeader && infoPhysBase !== undefined && subHeader.physBase !== infoPhysBase)
    warnings.push({
      code: 'W_SUBHEADER_PHYS_BASE',
      message: `${source.name}: the kdump sub-header's phys_base 0x${subHeader.physBase.toString(16)} differs from VMCOREINFO's NUMBER(phys_base) 0x${infoPhysBase.toString(16)} (QEMU writes a wrong one when the guest used KASLR); VMCOREINFO's is used`,
    });

  const pageSize = bs;
  const loads: LoadSegment[] = [];
  forEachRun(bitmap1, 0, maxPfn, (s, e) => {
    if (loads.length === MAX_MEMORY_RUNS)
      throw new VmsieveError('E_ABSURD_SIZE', `${source.name}: the 1st bitmap has more than ${MAX_MEMORY_RUNS} separate memory ranges: it is corrupt`);
    loads.push({ physStart: s * pageSize, physEnd: e * pageSize, fileOffset: -1, fileSize: (e - s) * pageSize, virtStart: 0n, flags: 0 });
  });
  if (loads.length === 0) throw new VmsieveError('E_NO_LOAD', `${source.name}: the 1st bitmap is empty: the dump holds no memory`);

  const decompressors: Decompressors = { ...defaultDecompressors(), ...options.decompressors };
  const file = new KdumpFile(source, arch, header, subHeader, maxPfn, range, bitmap1, bitmap2, numDumpable, descTableOffset, eraseinfo, notes, noteSegment, vmcoreinfo, loads, decompressors, warnings);
  await file.checkDataStart();
  await file.findMissing();
  return file;
}

class KdumpFile implements KdumpDump {
  readonly format = 'kdump' as const;
  readonly producer: DumpProducer;
  readonly pageSize: number;
  readonly maxPfnFromLoads: number;
  /** Set bits of bitmap2 before each 4096-pfn block: a pfn's descriptor index in O(512). */
  private readonly rank: Float64Array;
  private readonly descCache = new Map<number, Fields>();
  /** Descriptors wholly inside the file (all of them unless the file was cut inside its table). */
  private readonly descsInFile: number;
  /** Dumpable pfns before this file's range (a split member's table starts after them). */
  private readonly firstIndex: number;
  /**
   * Where page data starts: after a table sized for the whole dump's 2nd bitmap, in every member of a split set too.
   * With zero pages excluded the shared zero page is stored there first.
   */
  private readonly dataStart: number;
  private readonly sharedZeroPage: boolean;
  bitmap2: Uint8Array;
  missing: PfnRange[] = [];

  constructor(
    readonly source: ByteSource,
    readonly arch: Architecture,
    readonly header: DiskDumpHeader,
    readonly subHeader: KdumpSubHeader | undefined,
    readonly maxPfn: number,
    readonly range: PfnRange,
    readonly bitmap1: Uint8Array,
    private readonly storedBitmap2: Uint8Array,
    readonly numDumpable: number,
    readonly descTableOffset: number,
    readonly eraseinfo: KdumpDump['eraseinfo'],
    readonly notes: ElfNote[],
    readonly noteSegment: Dump['noteSegment'],
    readonly vmcoreinfo: VmcoreInfo | undefined,
    readonly loads: LoadSegment[],
    private readonly decompressors: Decompressors,
    readonly warnings: DumpWarning[],
  ) {
    this.bitmap2 = storedBitmap2;
    if (range.start > 0 || range.end < maxPfn) this.bitmap2 = clearedOutside(storedBitmap2, range, maxPfn);
    this.pageSize = header.blockSize;
    this.maxPfnFromLoads = maxPfn;
    this.producer = notes.some((x) => x.name === 'QEMU') ? 'qemu' : notes.some((x) => x.name === 'CORE') ? 'kdump' : 'unknown';
    const blocks = Math.ceil(maxPfn / 4096);
    this.rank = new Float64Array(blocks + 1);
    for (let b = 0; b < blocks; b++) this.rank[b + 1] = this.rank[b]! + countBits(storedBitmap2.subarray(b * 512, b * 512 + 512), Math.min(4096, maxPfn - b * 4096));
    this.firstIndex = this.globalRank(range.start);
    this.dataStart = descTableOffset + this.rank[blocks]! * PAGE_DESC_SIZE;
    this.sharedZeroPage = subHeader !== undefined && (subHeader.dumpLevel & DL_EXCLUDE_ZERO) !== 0;
    this.descsInFile = Math.max(0, Math.min(numDumpable, Math.floor((source.size - descTableOffset) / PAGE_DESC_SIZE)));
    if (this.descsInFile < numDumpable && !(header.status & DUMP_DH_COMPRESSED_INCOMPLETE))
      checkRange(source, descTableOffset, numDumpable * PAGE_DESC_SIZE, 'the page descriptor table');
  }

  /**
   * The 2nd bitmap's count of pages against the descriptor table: the first page's data follows the table (after
   * the shared zero page when there is one). A bit more or less in the bitmap moves the table's end by a descriptor
   * and shifts every pfn onto its neighbour's page; this is where that shows.
   */
  async checkDataStart(): Promise<void> {
    if (this.numDumpable === 0) return;
    const first = await this.descAt(0);
    if (!this.written(first)) return;
    const zeroAfter = this.dataStart + this.pageSize;
    if (first.offset === this.dataStart || (this.sharedZeroPage && first.offset === zeroAfter)) return;
    throw new VmsieveError(
      'E_CORRUPT',
      `${this.source.name}: the 2nd bitmap lists ${this.rank[this.rank.length - 1]} pages, so page data starts at byte ${this.dataStart}, but the first page descriptor (at byte ${this.descTableOffset}) points at byte ${first.offset}: the 2nd bitmap or the descriptor table is corrupt`,
      { offset: first.offset, expected: this.dataStart },
    );
  }

  /** A descriptor of a page the file holds: written (not zero), and its data inside the file (not cut off). */
  private written(d: PageDesc): boolean {
    return d.offset > 0 && d.offset + d.size <= this.source.size;
  }

  /**
   * Checks the written descriptors of one block of the table as it is read: each page's bytes after the table,
   * at most a page, raw pages exactly a page, and pages stored in pfn order without overlap (only the shared zero
   * page is pointed at again). A descriptor that breaks this is refused where it is, before its page is used.
   */
  private checkDescriptors(view: Fields, first: number, count: number): void {
    const ps = this.pageSize;
    let end = first === 0 ? this.dataStart + (this.sharedZeroPage ? ps : 0) : this.dataStart;
    for (let k = 0; k < count; k++) {
      const d = decodePageDesc(view, k * PAGE_DESC_SIZE);
      if (!this.written(d)) continue;
      const zeroRef = this.sharedZeroPage && d.offset === this.dataStart;
      const why =
        d.size === 0 || d.size > ps ? `claims ${d.size} stored bytes (a page is ${ps})` :
        d.flags === 0 && d.size !== ps ? `is raw but ${d.size} bytes, not a page` :
        zeroRef && (d.size !== ps || d.flags !== 0) ? `points at the shared zero page at byte ${d.offset} but as ${d.size} bytes with flags 0x${d.flags.toString(16)}` :
        !zeroRef && d.offset < end ? `points at byte ${d.offset}, before the end (${end}) of the page data before it: pages are stored in pfn order, once` :
        undefined;
      if (why)
        throw new VmsieveError('E_CORRUPT', `${this.source.name}: page descriptor ${first + k} (at byte ${this.descTableOffset + (first + k) * PAGE_DESC_SIZE}) ${why}: the descriptor table is corrupt`, {
          descriptor: first + k,
        });
      if (!zeroRef) end = d.offset + d.size;
    }
  }

  /**
   * A file flagged incomplete (makedumpfile -L, a full disk) or cut short holds fewer pages than its bitmap says:
   * descriptors never written (offset 0) or pointing past the end of the file. Those pfns become `missing`, leave
   * `bitmap2`, and every command is warned. Pages are written in batches in pfn order, so an unflagged file whose
   * last descriptors' pages are all in the file is complete without a scan of the whole table.
   */
  async findMissing(): Promise<void> {
    const flagged = (this.header.status & DUMP_DH_COMPRESSED_INCOMPLETE) !== 0;
    if (this.numDumpable === 0) return;
    if (!flagged) {
      let intact = true;
      for (let i = Math.max(0, this.numDumpable - DESC_CACHE_BLOCK); i < this.numDumpable && intact; i++) {
        const d = await this.descAt(i);
        intact = d.offset > 0 && d.offset + d.size <= this.source.size;
      }
      if (intact) return;
    }
    const ranges: PfnRange[] = [];
    let index = 0;
    for (const [s, e] of bitRuns(this.storedBitmap2, this.range.start, this.range.end))
      for (let pfn = s; pfn < e; pfn++) {
        const d = await this.descAt(index++);
        if (d.offset > 0 && d.offset + d.size <= this.source.size) continue;
        const last = ranges[ranges.length - 1];
        if (last && last.end === pfn) last.end++;
        else ranges.push({ start: pfn, end: pfn + 1 });
      }
    if (ranges.length === 0) return;
    this.missing = ranges;
    this.bitmap2 = this.storedBitmap2.slice();
    for (const r of ranges) for (let pfn = r.start; pfn < r.end; pfn++) this.bitmap2[pfn >> 3]! &= ~(1 << (pfn & 7));
    this.descCache.clear();
    this.warnings.push(incompleteWarning(this.source.name, ranges, flagged ? 'flagged DUMP_DH_COMPRESSED_INCOMPLETE' : 'the file ends before its last pages'));
  }

  private isMissing(pfn: number): boolean {
    return this.missing.some((r) => pfn >= r.start && pfn < r.end);
  }

  isDumpable(pfn: number): boolean {
    return pfn >= 0 && pfn < this.maxPfn && testBit(this.bitmap2, pfn);
  }

  selection(excludeZero: boolean): PageSelection {
    return { maxPfn: this.maxPfn, bitmap1: this.bitmap1, bitmap2: this.bitmap2, excludeZero };
  }

  private indexOf(pfn: number): number {
    return this.globalRank(pfn) - this.firstIndex;
  }

  /** Dumpable pfns of the whole dump before `pfn`. */
  private globalRank(pfn: number): number {
    const block = Math.floor(pfn / 4096);
    const from = block * 4096;
    return this.rank[block]! + countBits(this.storedBitmap2.subarray(from >>> 3), pfn - from);
  }

  private async descAt(index: number): Promise<PageDesc> {
    const block = Math.floor(index / DESC_CACHE_BLOCK);
    let view = this.descCache.get(block);
    if (!view) {
      const first = block * DESC_CACHE_BLOCK;
      // Past the end of a cut table every descriptor reads as never written (zero).
      const count = Math.max(0, Math.min(DESC_CACHE_BLOCK, this.descsInFile - first));
      if (count < DESC_CACHE_BLOCK && first + count < this.numDumpable) {
        const bytes = new Uint8Array(DESC_CACHE_BLOCK * PAGE_DESC_SIZE);
        if (count > 0) bytes.set(await this.source.read(this.descTableOffset + first * PAGE_DESC_SIZE, count * PAGE_DESC_SIZE));
        view = new Fields(bytes, this.arch.byteOrder);
        this.checkDescriptors(view, first, count);
        this.descCache.set(block, view);
        return decodePageDesc(view, (index % DESC_CACHE_BLOCK) * PAGE_DESC_SIZE);
      }
      const bytes = await this.source.read(this.descTableOffset + first * PAGE_DESC_SIZE, count * PAGE_DESC_SIZE);
      view = new Fields(bytes, this.arch.byteOrder);
      this.checkDescriptors(view, first, count);
      if (this.descCache.size >= 64) this.descCache.delete(this.descCache.keys().next().value!);
      this.descCache.set(block, view);
    }
    return decodePageDesc(view, (index % DESC_CACHE_BLOCK) * PAGE_DESC_SIZE);
  }

  async descriptor(pfn: number): Promise<PageDesc | undefined> {
    if (!this.isDumpable(pfn)) return undefined;
    return this.descAt(this.indexOf(pfn));
  }

  async *descriptors(): AsyncGenerator<{ pfn: number; desc: PageDesc }> {
    let index = 0;
    for (const [s, e] of bitRuns(this.storedBitmap2, this.range.start, this.range.end))
      for (let pfn = s; pfn < e; pfn++) {
        const desc = await this.descAt(index++);
        if (testBit(this.bitmap2, pfn)) yield { pfn, desc };
      }
  }

  async readPage(pfn: number): Promise<Uint8Array> {
    const desc = await this.descriptor(pfn);
    if (!desc && this.isMissing(pfn))
      throw new VmsieveError('E_NOT_IN_DUMP', `pfn 0x${pfn.toString(16)} is missing from ${this.source.name}: the dump is incomplete`, { pfn });
    if (!desc)
      throw new VmsieveError('E_NOT_IN_DUMP', `pfn 0x${pfn.toString(16)} is excluded from ${this.source.name} (filtered out by makedumpfile's dump level, or a hole)`, { pfn });
    return this.decodePage(pfn, desc);
  }

  /** Reads and decodes one page given its descriptor. */
  async decodePage(pfn: number, desc: PageDesc): Promise<Uint8Array> {
    if (desc.offset === 0)
      throw new VmsieveError('E_TRUNCATED', `${this.source.name}: pfn 0x${pfn.toString(16)} was never written (incomplete dump)`, { pfn });
    if (desc.size > this.pageSize)
      throw new VmsieveError('E_BAD_HEADER', `${this.source.name}: pfn 0x${pfn.toString(16)} claims ${desc.size} stored bytes, more than a page`, { pfn });
    checkRange(this.source, desc.offset, desc.size, `page 0x${pfn.toString(16)}`);
    return this.decodeStored(pfn, desc, await this.source.read(desc.offset, desc.size));
  }

  /** Decodes a page's stored bytes (raw, or compressed per desc.flags). */
  decodeStored(pfn: number, desc: PageDesc, data: Uint8Array): Promise<Uint8Array> {
    return decodeStoredPage(this.source.name, pfn, desc, data, this.pageSize, this.decompressors);
  }

  async storedPages(runs: readonly PfnRun[]): Promise<StoredPages | undefined> {
    const spans: [number, number][] = [];
    const descs: number[] = [];
    /** Where in the spans' bytes each page read so far starts (a page referred to again is not read again). */
    const readAt = new Map<number, number>();
    let bytes = 0;
    for (const [start, end] of runs)
      for (let pfn = start; pfn < end; pfn++) {
        const d = await this.descriptor(pfn);
        // What readPhys would refuse, it refuses itself (with its message).
        if (!d || !this.written(d) || d.size > this.pageSize) return undefined;
        let at = readAt.get(d.offset);
        if (at === undefined) {
          const last = spans[spans.length - 1];
          if (last && last[0] + last[1] === d.offset) last[1] += d.size;
          else spans.push([d.offset, d.size]);
          readAt.set(d.offset, (at = bytes));
          bytes += d.size;
        }
        descs.push(pfn, d.size, d.flags, at);
      }
    const found = locateSpans(this.source, spans);
    return found && { ...found, descs: Float64Array.from(descs), pages: descs.length / 4 };
  }

  async readPhys(paddr: number, length: number): Promise<Uint8Array> {
    const ps = this.pageSize;
    const out = new Uint8Array(length);
    if (length === 0) return out;
    const firstPfn = Math.floor(paddr / ps);
    const lastPfn = Math.floor((paddr + length - 1) / ps);
    // Descriptors of the range; pages stored back to back are fetched with one read.
    const descs: PageDesc[] = [];
    for (let pfn = firstPfn; pfn <= lastPfn; pfn++) {
      if (!this.isDumpable(pfn)) {
        const at = Math.max(paddr, pfn * ps);
        if (this.isMissing(pfn))
          throw new VmsieveError('E_NOT_IN_DUMP', `physical address 0x${at.toString(16)} is missing from ${this.source.name}: the dump is incomplete`, { paddr: at });
        throw new VmsieveError('E_NOT_IN_DUMP', `physical address 0x${at.toString(16)} is not in the dump (pfn 0x${pfn.toString(16)} is excluded or a hole)`, { paddr: at });
      }
      descs.push((await this.descriptor(pfn))!);
    }
    for (let i = 0; i < descs.length; ) {
      let j = i + 1;
      let span = descs[i]!.size;
      while (j < descs.length && descs[j]!.offset === descs[j - 1]!.offset + descs[j - 1]!.size && span < 1 << 22) span += descs[j++]!.size;
      const first = descs[i]!;
      const valid = first.offset > 0 && span <= ps * (j - i) && first.offset + span <= this.source.size;
      const group = valid && j - i > 1 ? await this.source.read(first.offset, span) : undefined;
      for (let k = i, rel = 0; k < j; rel += descs[k]!.size, k++) {
        const pfn = firstPfn + k;
        const d = descs[k]!;
        const page = group ? await this.decodeStored(pfn, d, group.subarray(rel, rel + d.size)) : await this.decodePage(pfn, d);
        const pageStart = pfn * ps;
        const from = Math.max(paddr, pageStart);
        const to = Math.min(paddr + length, pageStart + ps);
        out.set(page.subarray(from - pageStart, to - pageStart), from - paddr);
      }
      i = j;
    }
    return out;
  }
}

/** A copy of the bitmap with only the bits of `keep` set. */
function clearedOutside(bitmap: Uint8Array, keep: PfnRange, maxPfn: number): Uint8Array {
  const out = new Uint8Array(bitmap.length);
  forEachRun(bitmap, keep.start, Math.min(keep.end, maxPfn), (s, e) => {
    for (let pfn = s; pfn < e; pfn++) out[pfn >> 3]! |= 1 << (pfn & 7);
  });
  return out;
}
