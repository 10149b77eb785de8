import type { ByteSink } from '../../io/sink.js';
import { KernelMemory } from '../../kernel/kernel-memory.js';
import type { Dump } from '../../model/dump.js';
import { bitmapBytes, trimmedBitmap, type PageSelection } from '../selection.js';
import { encodedBatches } from './batch-stream.js';
import { CODEC_FLAG, UTS_FIELD, UTSNAME_SIZE, encodeDiskDumpHeader, encodeSubHeader, type DiskDumpHeader, type KdumpSubHeader } from './diskdump.js';
import { planKdump, type KdumpHeaderFacts } from './kdump-plan.js';
import { walkNoteSegment } from '../elf/notes.js';
import type { PageEncoder } from './page-encoder.js';
import { PageDataWriter, type StoredCounts } from './page-data-writer.js';
import { isKdumpDump, type KdumpDump } from './read-kdump.js';
import { storedRaw } from './stored-raw.js';

/** Any input the writers take: an ELF vmcore or a kdump-compressed file (re-filtering). */
export type SourceDump = Dump | KdumpDump;

export interface KdumpWriteOptions {
  /** Dump level (0-31) recorded in the sub header. Zero-page handling follows selection.excludeZero. */
  dumpLevel: number;
  /** Page compression; none = every page read here and stored raw (makedumpfile without -c/-l/-p/-z). */
  encoder?: PageEncoder;
  /** Pages read and encoded per batch (default: 2 MiB of pages, 512 of 4 KiB). */
  batchPages?: number;
  /** Batches handed to the encoder before the oldest result is awaited (default 4). */
  inFlight?: number;
  signal?: AbortSignal;
  onProgress?: (pagesDone: number, pagesTotal: number) => void;
  /** eraseinfo lines for what this export erased, after any the input carries (makedumpfile's `erase EXPR size N`). */
  eraseinfo?: Uint8Array;
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
  let nrCpus = noteBytes ? walkNoteSegment(noteBytes, dump.arch.byteOrder).nrCpus : 0;
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

const BITMAP_WRITE = 1 << 20;
const BATCH_BYTES = 2 << 20;

/**
 * Writes a kdump-compressed dump (makedumpfile's layout and write order: header, notes, sub header,
 * 1st bitmap, 2nd bitmap, then descriptors at their precomputed places and page data appended, the
 * shared zero page first when zero pages are excluded). The caller owns the sink (close or abort it).
 */
export async function writeKdump(dump: SourceDump, selection: PageSelection, sink: ByteSink, options: KdumpWriteOptions): Promise<KdumpWriteResult> {
  const ps = dump.pageSize;
  const { maxPfn } = selection;
  const noteBytes = dump.noteSegment ? await dump.source.read(dump.noteSegment.fileOffset, dump.noteSegment.fileSize) : undefined;
  const facts = { ...(await kdumpHeaderFacts(dump, noteBytes)), ...options.facts };
  const encoder = options.encoder ?? storedRaw(dump);
  const codecFlag = encoder.codec ? CODEC_FLAG[encoder.codec] : 0;
  const notes = noteBytes && { size: noteBytes.length, vmcoreinfo: walkNoteSegment(noteBytes, dump.arch.byteOrder).vmcoreinfo };
  const { layout, header, subHeader, noteOffset } = planKdump({ pageSize: ps, selection, dumpLevel: options.dumpLevel, codecFlag, facts, notes });

  // 1. Header, sub header, notes (in file order).
  await sink.write(0, encodeDiskDumpHeader(header, dump.arch.byteOrder));
  await sink.write(ps, encodeSubHeader(subHeader, dump.arch.byteOrder));
  if (noteBytes) await sink.write(noteOffset, noteBytes.slice());

  // 2. Both bitmaps (only their ceil(maxPfn/8) bytes, as makedumpfile; the block padding stays zero).
  const nb = bitmapBytes(maxPfn);
  const b1 = trimmedBitmap(selection.bitmap1, maxPfn);
  const b2 = trimmedBitmap(selection.bitmap2, maxPfn);
  for (let at = 0; at < nb; at += BITMAP_WRITE) await sink.write(layout.bitmap1Offset + at, b1.slice(at, Math.min(nb, at + BITMAP_WRITE)));
  for (let at = 0; at < nb; at += BITMAP_WRITE) await sink.write(layout.bitmap2Offset + at, b2.slice(at, Math.min(nb, at + BITMAP_WRITE)));

  // 3. Descriptors and pages: batches encoded (in parallel with a worker-pool encoder), written strictly in order.
  // The descriptors hold where each page's data goes, which only encoding tells: a sink that takes the file front to
  // back gets every page encoded twice, once for the descriptor table and once for the data after it.
  const passes = sink.inOrder ? [onlyWrites(sink, (at) => at < layout.dataOffset), onlyWrites(sink, (at) => at >= layout.dataOffset)] : [sink];
  const total = layout.numDumpable * passes.length;
  let done = 0;
  let dataEnd = layout.dataOffset;
  let counts: StoredCounts | undefined;
  for (const passSink of passes) {
    const pages = new PageDataWriter(passSink, layout, codecFlag, selection.excludeZero, dump.arch.byteOrder);
    const batches = encodedBatches(b2, maxPfn, encoder, {
      batchPages: Math.max(1, options.batchPages ?? Math.floor(BATCH_BYTES / ps)),
      inFlight: Math.max(1, options.inFlight ?? 4),
      skipZero: selection.excludeZero,
      signal: options.signal,
    });
    for await (const { count, encoded } of batches) {
      await pages.add(count, encoded);
      done += count;
      options.onProgress?.(done, total);
    }
    dataEnd = await pages.finish();
    counts = pages.counts;
  }

  // 4. eraseinfo carried over from a kdump input, then this export's own.
  const carried = isKdumpDump(dump) && dump.eraseinfo && dump.eraseinfo.size > 0 ? await dump.source.read(dump.eraseinfo.offset, dump.eraseinfo.size) : new Uint8Array();
  const own = options.eraseinfo ?? new Uint8Array();
  if (carried.length + own.length > 0) {
    const bytes = new Uint8Array(carried.length + own.length);
    bytes.set(carried);
    bytes.set(own, carried.length);
    await sink.write(dataEnd, bytes);
    subHeader.offsetEraseinfo = BigInt(dataEnd);
    subHeader.sizeEraseinfo = BigInt(bytes.length);
    dataEnd += bytes.length;
    await sink.write(ps, encodeSubHeader(subHeader, dump.arch.byteOrder));
  }
  return { fileSize: Math.max(dataEnd, layout.dataOffset), numDumpable: layout.numDumpable, ...counts!, header, subHeader };
}

/** `sink` with only the writes at offsets `keep` accepts; the others are dropped. */
function onlyWrites(sink: ByteSink, keep: (offset: number) => boolean): ByteSink {
  return {
    name: sink.name,
    write: async (offset, bytes) => {
      if (keep(offset)) await sink.write(offset, bytes);
    },
    close: () => sink.close(),
    abort: () => sink.abort(),
  };
}
