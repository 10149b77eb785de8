import { VmsieveError } from '../../errors.js';
import { concatBytes } from '../../io/concat.js';
import type { ByteSink } from '../../io/sink.js';
import { KernelMemory } from '../../kernel/kernel-memory.js';
import type { Dump } from '../../model/dump.js';
import { readRuns, type PfnRun } from '../../model/page-extents.js';
import { bitmapBytes, bitRuns, countBits, trimmedBitmap, type PageSelection } from '../selection.js';
import {
  CODEC_FLAG,
  KDUMP_SIGNATURE,
  KDUMP_SUB_HEADER_SIZE,
  PAGE_DESC_SIZE,
  UTS_FIELD,
  UTSNAME_SIZE,
  bitmapLayout,
  encodeDiskDumpHeader,
  encodeSubHeader,
  type DiskDumpHeader,
  type KdumpSubHeader,
} from './diskdump.js';
import { walkNoteSegment } from '../elf/notes.js';
import { STORED_RAW, type EncodedPages, type PageEncoder } from './page-encoder.js';
import { isKdumpDump, type KdumpDump } from './read-kdump.js';
import { isZeroPage } from '../zero-page.js';

/** Any input the writers take: an ELF vmcore or a kdump-compressed file (re-filtering). */
export type SourceDump = Dump | KdumpDump;

export interface KdumpWriteOptions {
  /** Dump level (0-31) recorded in the sub header. Zero-page handling follows selection.excludeZero. */
  dumpLevel: number;
  /** Page compression; none = every page stored raw (makedumpfile without -c/-l/-p/-z). */
  encoder?: PageEncoder;
  /** Pages read and encoded per batch (default: 2 MiB of pages, 512 of 4 KiB). */
  batchPages?: number;
  /** Batches handed to the encoder before the oldest result is awaited (default 4). */
  inFlight?: number;
  signal?: AbortSignal;
  onProgress?: (pagesDone: number, pagesTotal: number) => void;
  /** Header fields, when the caller knows better than the dump (normally left out; see kdumpHeaderFacts). */
  facts?: Partial<KdumpHeaderFacts>;
}

export interface KdumpWriteResult {
  /** Bytes of the finished file. */
  fileSize: number;
  /** Descriptors written (set bits of the 2nd bitmap). */
  numDumpable: number;
  /** Dumpable pages found zero-filled and stored as the one shared zero page. */
  zeroPages: number;
  rawPages: number;
  compressedPages: number;
  header: DiskDumpHeader;
  subHeader: KdumpSubHeader;
}

/** What the headers say about the machine and the crash, from the dump itself. */
export interface KdumpHeaderFacts {
  /** struct new_utsname (390 bytes) read from init_uts_ns (or system_utsname) in the dump. */
  utsname: Uint8Array;
  timestampSec: bigint;
  timestampUsec: bigint;
  nrCpus: number;
  physBase: bigint;
}

/**
 * makedumpfile's header facts: utsname from kernel memory (SYMBOL(system_utsname), else
 * SYMBOL(init_uts_ns) + OFFSET(uts_namespace.name)); timestamp from VMCOREINFO CRASHTIME (or the
 * input kdump header); nr_cpus = CORE/NT_PRSTATUS notes (or the input kdump header); phys_base from
 * the architecture (x86_64: NUMBER(phys_base), else the kernel-text PT_LOAD; arm64: PHYS_OFFSET). Missing
 * utsname → zeros with the architecture's machine ("x86_64", "aarch64").
 */
export async function kdumpHeaderFacts(dump: SourceDump, noteBytes: Uint8Array | undefined): Promise<KdumpHeaderFacts & { warnings: string[] }> {
  const warnings: string[] = [];
  const info = dump.vmcoreinfo;
  let utsname: Uint8Array | undefined;
  if (info) {
    const addr =
      info.symbol('system_utsname') ??
      (() => {
        const ns = info.symbol('init_uts_ns');
        return ns === undefined ? undefined : ns + BigInt(info.offset('uts_namespace.name') ?? 4);
      })();
    if (addr !== undefined) {
      try {
        utsname = await KernelMemory.open(dump as Dump).readVirt(addr, UTSNAME_SIZE);
      } catch (e) {
        warnings.push(`cannot read utsname from the dump: ${(e as Error).message}`);
      }
    } else warnings.push('VMCOREINFO has neither SYMBOL(system_utsname) nor SYMBOL(init_uts_ns): utsname left empty');
  } else warnings.push('no VMCOREINFO: utsname left empty except machine');
  if (!utsname) {
    utsname = new Uint8Array(UTSNAME_SIZE);
    utsname.set(new TextEncoder().encode(dump.arch.utsMachine), 4 * UTS_FIELD);
  }

  let timestampSec = 0n;
  let timestampUsec = 0n;
  let nrCpus = noteBytes ? walkNoteSegment(noteBytes).nrCpus : 0;
  if (isKdumpDump(dump)) {
    timestampSec = dump.header.timestampSec;
    timestampUsec = dump.header.timestampUsec;
    nrCpus = dump.header.nrCpus;
  }
  const crash = info?.crashTime;
  if (crash) {
    timestampSec = BigInt(crash);
    if (!isKdumpDump(dump)) timestampUsec = 0n;
  }

  const physBase = dump.arch.headerPhysBase(dump);
  return { utsname, timestampSec, timestampUsec, nrCpus, physBase, warnings };
}

/** Byte positions of a kdump-compressed file, all known before any page is read. */
export interface KdumpLayout {
  blockSize: number;
  subHdrSize: number;
  bitmapBlocks: number;
  bitmap1Offset: number;
  bitmap2Offset: number;
  descTableOffset: number;
  dataOffset: number;
  numDumpable: number;
}

export function kdumpLayout(pageSize: number, noteSize: number, selection: PageSelection): KdumpLayout {
  return kdumpLayoutFor(pageSize, noteSize, selection.maxPfn, countBits(selection.bitmap2, selection.maxPfn));
}

/** The layout from the counts alone: analyse mode sizes every level's file with it, before any bitmap exists. */
export function kdumpLayoutFor(pageSize: number, noteSize: number, maxPfn: number, numDumpable: number): KdumpLayout {
  const subHdrSize = Math.ceil((KDUMP_SUB_HEADER_SIZE + noteSize) / pageSize);
  const { halfBytes, bitmapBlocks } = bitmapLayout(maxPfn, pageSize);
  const bitmap1Offset = (1 + subHdrSize) * pageSize;
  const descTableOffset = (1 + subHdrSize + bitmapBlocks) * pageSize;
  return {
    blockSize: pageSize,
    subHdrSize,
    bitmapBlocks,
    bitmap1Offset,
    bitmap2Offset: bitmap1Offset + halfBytes,
    descTableOffset,
    dataOffset: descTableOffset + PAGE_DESC_SIZE * numDumpable,
    numDumpable,
  };
}

const DATA_FLUSH = 1 << 20;
const DESC_FLUSH = 4096;
const BATCH_BYTES = 2 << 20;

/**
 * Writes a kdump-compressed dump (makedumpfile's layout and write order: header, notes, sub header,
 * 1st bitmap, 2nd bitmap, then descriptors at their precomputed places and page data appended, the
 * shared zero page first when zero pages are excluded). The caller owns the sink (close or abort it).
 */
export async function writeKdump(dump: SourceDump, selection: PageSelection, sink: ByteSink, options: KdumpWriteOptions): Promise<KdumpWriteResult> {
  const ps = dump.pageSize;
  const { maxPfn } = selection;
  if (!Number.isSafeInteger(maxPfn) || maxPfn <= 0) throw new RangeError(`bad maxPfn ${maxPfn}`);
  const noteBytes = dump.noteSegment ? await dump.source.read(dump.noteSegment.fileOffset, dump.noteSegment.fileSize) : undefined;
  const noteSize = noteBytes?.length ?? 0;
  const facts = { ...(await kdumpHeaderFacts(dump, noteBytes)), ...options.facts };
  const layout = kdumpLayout(ps, noteSize, selection);
  const encoder = options.encoder;
  const codecFlag = encoder ? CODEC_FLAG[encoder.codec] : 0;

  const header: DiskDumpHeader = {
    signature: KDUMP_SIGNATURE,
    headerVersion: 6,
    utsname: facts.utsname,
    timestampSec: facts.timestampSec,
    timestampUsec: facts.timestampUsec,
    status: codecFlag,
    blockSize: ps,
    subHdrSize: layout.subHdrSize,
    bitmapBlocks: layout.bitmapBlocks,
    maxMapnr: Math.min(maxPfn, 0xffff_ffff),
    totalRamBlocks: 0,
    deviceBlocks: 0,
    writtenBlocks: 0,
    currentCpu: 0,
    nrCpus: facts.nrCpus,
  };
  const offsetNote = ps + KDUMP_SUB_HEADER_SIZE;
  const vmci = noteBytes ? walkNoteSegment(noteBytes).vmcoreinfo : undefined;
  const subHeader: KdumpSubHeader = {
    physBase: facts.physBase,
    dumpLevel: options.dumpLevel,
    split: 0,
    startPfn: 0n,
    endPfn: 0n,
    offsetVmcoreinfo: vmci ? BigInt(offsetNote + vmci.offset) : 0n,
    sizeVmcoreinfo: vmci ? BigInt(vmci.size) : 0n,
    offsetNote: noteBytes ? BigInt(offsetNote) : 0n,
    sizeNote: BigInt(noteSize),
    offsetEraseinfo: 0n,
    sizeEraseinfo: 0n,
    startPfn64: 0n,
    endPfn64: 0n,
    maxMapnr64: BigInt(maxPfn),
  };

  // 1. Header, notes, sub header.
  await sink.write(0, encodeDiskDumpHeader(header));
  if (noteBytes) await sink.write(offsetNote, noteBytes.slice());
  await sink.write(ps, encodeSubHeader(subHeader));

  // 2. Both bitmaps (only their ceil(maxPfn/8) bytes, as makedumpfile; the block padding stays zero).
  const nb = bitmapBytes(maxPfn);
  const b1 = trimmedBitmap(selection.bitmap1, maxPfn);
  const b2 = trimmedBitmap(selection.bitmap2, maxPfn);
  for (let at = 0; at < nb; at += DATA_FLUSH) await sink.write(layout.bitmap1Offset + at, b1.slice(at, Math.min(nb, at + DATA_FLUSH)));
  for (let at = 0; at < nb; at += DATA_FLUSH) await sink.write(layout.bitmap2Offset + at, b2.slice(at, Math.min(nb, at + DATA_FLUSH)));

  // 3. Descriptors and pages.
  let descPos = layout.descTableOffset;
  let descBuf = new Uint8Array(DESC_FLUSH * PAGE_DESC_SIZE);
  let descView = new DataView(descBuf.buffer);
  let descCount = 0;
  let dataPos = layout.dataOffset; // where dataChunks start in the file
  let dataEnd = layout.dataOffset; // next free byte for page data
  let dataChunks: Uint8Array[] = [];
  let dataBuffered = 0;
  const zeroDesc = { offset: layout.dataOffset, size: ps, flags: 0, pageFlags: 0n };
  if (selection.excludeZero) {
    dataChunks.push(new Uint8Array(ps));
    dataBuffered = ps;
    dataEnd += ps;
  }

  const flushDescs = async () => {
    if (descCount === 0) return;
    await sink.write(descPos, descBuf.subarray(0, descCount * PAGE_DESC_SIZE));
    descPos += descCount * PAGE_DESC_SIZE;
    descBuf = new Uint8Array(DESC_FLUSH * PAGE_DESC_SIZE);
    descView = new DataView(descBuf.buffer);
    descCount = 0;
  };
  const flushData = async () => {
    if (dataBuffered === 0) return;
    const out = concatBytes(dataChunks);
    await sink.write(dataPos, out);
    dataPos += dataBuffered;
    dataChunks = [];
    dataBuffered = 0;
  };
  /** Writes one page_desc_t into the table buffer; true when the buffer is full and must be flushed. */
  const putDesc = (offset: number, size: number, flags: number): boolean => {
    const at = descCount * PAGE_DESC_SIZE;
    descView.setUint32(at, offset % 0x1_0000_0000, true);
    descView.setUint32(at + 4, Math.floor(offset / 0x1_0000_0000), true);
    descView.setUint32(at + 8, size, true);
    descView.setUint32(at + 12, flags, true);
    return ++descCount === DESC_FLUSH;
  };
  const pushData = async (bytes: Uint8Array) => {
    // A chunk as large as the buffer (a worker's compressed batch) is flushed on its own, which writes it as it is:
    // gathering it with its neighbours would only copy it.
    if (bytes.length >= DATA_FLUSH) await flushData();
    dataChunks.push(bytes);
    dataBuffered += bytes.length;
    dataEnd += bytes.length;
    if (dataBuffered >= DATA_FLUSH) {
      await flushDescs();
      await flushData();
    }
  };

  const batch = Math.max(1, options.batchPages ?? Math.floor(BATCH_BYTES / ps));
  let zeroPages = 0;
  let rawPages = 0;
  let compressedPages = 0;
  let done = 0;
  // Runs of dumpable pfns, cut to at most `batch` pages, produced lazily (bounded memory).
  const runs = (function* () {
    for (const [s, e] of bitRuns(b2, 0, maxPfn)) for (let p = s; p < e; p += batch) yield [p, Math.min(e, p + batch)] as [number, number];
  })();
  let next = runs.next();

  // Batches of up to `batch` pages from consecutive runs (each run is one readPhys). Up to `inFlight`
  // batches are being encoded at once (a worker-pool encoder works on them in parallel); their results
  // are written strictly in order.
  interface Pending {
    count: number;
    /** The batch as read; only used when there is no encoder (an encoder may take ownership of its input). */
    pages: Uint8Array;
    /** Valid once `encoded` has settled (an encoder that finds zero pages reports them with its result). */
    isZero: Uint8Array;
    encoded: Promise<EncodedPages | undefined>;
    /** `sizes` has a word for every page of the batch, not only for the pages given to the encoder. */
    perPageSizes: boolean;
  }
  // One batch's descriptors go straight into the table buffer; its stored pages are contiguous, so its data
  // is appended in one piece (raw pages: one piece per run of non-zero pages).
  const emit = async (p: Pending) => {
    const encoded = await p.encoded;
    const base = dataEnd;
    let dataAt = 0;
    for (let i = 0, j = 0; i < p.count; i++) {
      let full: boolean;
      if (p.isZero[i]) {
        full = putDesc(zeroDesc.offset, zeroDesc.size, 0);
        zeroPages++;
      } else if (encoded) {
        const w = encoded.sizes[p.perPageSizes ? i : j++]!;
        const len = w & 0x7fff_ffff;
        if (w & STORED_RAW || len >= ps) {
          if (len !== ps) throw new Error(`internal: encoder stored a raw page as ${len} bytes`);
          full = putDesc(base + dataAt, ps, 0);
          rawPages++;
        } else {
          full = putDesc(base + dataAt, len, codecFlag);
          compressedPages++;
        }
        dataAt += len;
      } else {
        full = putDesc(base + dataAt, ps, 0);
        dataAt += ps;
        rawPages++;
      }
      if (full) await flushDescs();
    }
    if (encoded) {
      if (dataAt > 0) await pushData(encoded.data.subarray(0, dataAt));
    } else {
      for (let i = 0; i < p.count; ) {
        if (p.isZero[i]) {
          i++;
          continue;
        }
        let end = i + 1;
        while (end < p.count && !p.isZero[end]) end++;
        await pushData(p.pages.subarray(i * ps, end * ps));
        i = end;
      }
    }
    done += p.count;
    options.onProgress?.(done, layout.numDumpable);
  };

  const inFlight = Math.max(1, options.inFlight ?? 4);
  const queue: Pending[] = [];
  while (!next.done) {
    if (options.signal?.aborted) throw new VmsieveError('E_CANCELLED', 'export cancelled');
    const group: PfnRun[] = [];
    let count = 0;
    while (!next.done && count + (next.value[1] - next.value[0]) <= batch) {
      group.push(next.value);
      count += next.value[1] - next.value[0];
      next = runs.next();
    }
    const pending: Pending = { count, pages: NO_PAGES, isZero: new Uint8Array(count), encoded: Promise.resolve(undefined), perPageSizes: false };
    let encoded: Promise<EncodedPages | undefined> = pending.encoded;
    if (encoder && 'encodeRuns' in encoder) {
      // The encoder reads the pages (in its workers, where it can) and finds the zero pages among them.
      encoded = encoder.encodeRuns(group, count, selection.excludeZero).then((e) => {
        if (selection.excludeZero) pending.isZero = e.zero;
        return e;
      });
      pending.perPageSizes = true;
    } else {
      const pages = await readRuns(dump, group, count);
      pending.pages = pages;
      // Zero pages share the stored zero page; the others go to the encoder.
      const isZero = pending.isZero;
      let keep = count;
      if (selection.excludeZero)
        for (let i = 0; i < count; i++)
          if (isZeroPage(pages, i * ps, ps)) {
            isZero[i] = 1;
            keep--;
          }
      if (encoder && keep > 0) {
        let toEncode = pages;
        if (keep !== count) {
          toEncode = new Uint8Array(keep * ps);
          for (let i = 0, j = 0; i < count; i++) if (!isZero[i]) toEncode.set(pages.subarray(i * ps, (i + 1) * ps), ps * j++);
        }
        encoded = (async () => encoder.encode(toEncode, keep))();
      }
    }
    encoded.catch(() => undefined); // awaited in order by emit(); avoid an unhandled rejection meanwhile
    pending.encoded = encoded;
    queue.push(pending);
    if (queue.length >= inFlight) await emit(queue.shift()!);
  }
  while (queue.length) await emit(queue.shift()!);
  await flushDescs();
  await flushData();
  if (descPos !== layout.dataOffset)
    throw new Error(`internal: wrote descriptors up to ${descPos}, expected ${layout.dataOffset}`);

  // 4. eraseinfo carried over from a kdump input.
  if (isKdumpDump(dump) && dump.eraseinfo && dump.eraseinfo.size > 0) {
    const bytes = await dump.source.read(dump.eraseinfo.offset, dump.eraseinfo.size);
    await sink.write(dataEnd, bytes.slice());
    subHeader.offsetEraseinfo = BigInt(dataEnd);
    subHeader.sizeEraseinfo = BigInt(bytes.length);
    dataEnd += bytes.length;
    await sink.write(ps, encodeSubHeader(subHeader));
  }
  return { fileSize: Math.max(dataEnd, layout.dataOffset), numDumpable: layout.numDumpable, zeroPages, rawPages, compressedPages, header, subHeader };
}

const NO_PAGES = new Uint8Array(0);
