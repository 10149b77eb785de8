import { countBits, type PageSelection } from '../selection.js';
import {
  KDUMP_SIGNATURE,
  KDUMP_SUB_HEADER_SIZE,
  PAGE_DESC_SIZE,
  bitmapLayout,
  type DiskDumpHeader,
  type KdumpSubHeader,
} from './diskdump.js';

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

function kdumpLayout(pageSize: number, noteSize: number, selection: PageSelection): KdumpLayout {
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

/** What the headers say about the machine and the crash, from the dump itself. */
export interface KdumpHeaderFacts {
  /** struct new_utsname (390 bytes) read from init_uts_ns (or system_utsname) in the dump. */
  utsname: Uint8Array;
  timestampSec: bigint;
  timestampUsec: bigint;
  nrCpus: number;
  physBase: bigint;
}

/** What a kdump file will hold, besides its pages. */
export interface KdumpPlanInput {
  pageSize: number;
  selection: PageSelection;
  /** Dump level (0-31) recorded in the sub header. */
  dumpLevel: number;
  /** The descriptor flag of a compressed page (0: every page stored raw). */
  codecFlag: number;
  facts: KdumpHeaderFacts;
  /** The dump's PT_NOTE segment, copied after the sub header: its size and where its VMCOREINFO data lies in it. */
  notes?: { size: number; vmcoreinfo?: { offset: number; size: number } };
}

/** The file's headers and layout: where every part goes, computed without reading a page. */
export interface KdumpPlan {
  layout: KdumpLayout;
  header: DiskDumpHeader;
  subHeader: KdumpSubHeader;
  /** Where the note segment is copied (right after the sub header, in the block after the main header). */
  noteOffset: number;
}

export function planKdump({ pageSize: ps, selection, dumpLevel, codecFlag, facts, notes }: KdumpPlanInput): KdumpPlan {
  const { maxPfn } = selection;
  if (!Number.isSafeInteger(maxPfn) || maxPfn <= 0) throw new RangeError(`bad maxPfn ${maxPfn}`);
  const layout = kdumpLayout(ps, notes?.size ?? 0, selection);
  const vmcoreinfo = notes?.vmcoreinfo;
  const noteOffset = ps + KDUMP_SUB_HEADER_SIZE;
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
  const subHeader: KdumpSubHeader = {
    physBase: facts.physBase,
    dumpLevel,
    split: 0,
    startPfn: 0n,
    endPfn: 0n,
    offsetVmcoreinfo: vmcoreinfo ? BigInt(noteOffset + vmcoreinfo.offset) : 0n,
    sizeVmcoreinfo: vmcoreinfo ? BigInt(vmcoreinfo.size) : 0n,
    offsetNote: notes ? BigInt(noteOffset) : 0n,
    sizeNote: BigInt(notes?.size ?? 0),
    offsetEraseinfo: 0n,
    sizeEraseinfo: 0n,
    startPfn64: 0n,
    endPfn64: 0n,
    maxMapnr64: BigInt(maxPfn),
  };
  return { layout, header, subHeader, noteOffset };
}
