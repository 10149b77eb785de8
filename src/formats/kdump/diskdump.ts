// kdump-compressed ("diskdump") on-disk structures, LP64 in the dumped machine's byte order (the layout of
// makedumpfile's diskdump_mod.h: makedumpfile writes them as its own CPU stores them).
import { Fields, type ByteOrder } from '../../model/byte-order.js';

export const KDUMP_SIGNATURE = 'KDUMP   ';
export const DISKDUMP_SIGNATURE = 'DISKDUMP';
export const DISK_DUMP_HEADER_SIZE = 464;
export const KDUMP_SUB_HEADER_SIZE = 104;
export const PAGE_DESC_SIZE = 24;
export const UTSNAME_SIZE = 390;
export const UTS_FIELD = 65;

export { CODEC_FLAG } from '../../codecs/stored-page.js';
export const DUMP_DH_COMPRESSED_INCOMPLETE = 0x8;
export const DUMP_DH_EXCLUDED_VMEMMAP = 0x10;

export interface DiskDumpHeader {
  signature: string;
  headerVersion: number;
  /** struct new_utsname: 6 × char[65]. */
  utsname: Uint8Array;
  timestampSec: bigint;
  timestampUsec: bigint;
  status: number;
  blockSize: number;
  subHdrSize: number;
  bitmapBlocks: number;
  maxMapnr: number;
  totalRamBlocks: number;
  deviceBlocks: number;
  writtenBlocks: number;
  currentCpu: number;
  nrCpus: number;
}

export interface KdumpSubHeader {
  physBase: bigint;
  dumpLevel: number;
  split: number;
  startPfn: bigint;
  endPfn: bigint;
  offsetVmcoreinfo: bigint;
  sizeVmcoreinfo: bigint;
  offsetNote: bigint;
  sizeNote: bigint;
  offsetEraseinfo: bigint;
  sizeEraseinfo: bigint;
  startPfn64: bigint;
  endPfn64: bigint;
  maxMapnr64: bigint;
}

export interface PageDesc {
  offset: number;
  size: number;
  flags: number;
  pageFlags: bigint;
}

const latin1 = new TextDecoder('latin1');

export function encodeDiskDumpHeader(h: DiskDumpHeader, order: ByteOrder): Uint8Array {
  const b = new Uint8Array(DISK_DUMP_HEADER_SIZE);
  const v = new Fields(b, order);
  for (let i = 0; i < 8; i++) b[i] = h.signature.charCodeAt(i) & 0xff;
  v.setI32(8, h.headerVersion);
  b.set(h.utsname.subarray(0, UTSNAME_SIZE), 12);
  v.setI64(408, h.timestampSec);
  v.setI64(416, h.timestampUsec);
  v.setU32(424, h.status);
  v.setI32(428, h.blockSize);
  v.setI32(432, h.subHdrSize);
  v.setU32(436, h.bitmapBlocks);
  v.setU32(440, h.maxMapnr);
  v.setU32(444, h.totalRamBlocks);
  v.setU32(448, h.deviceBlocks);
  v.setU32(452, h.writtenBlocks);
  v.setU32(456, h.currentCpu);
  v.setI32(460, h.nrCpus);
  return b;
}

export function decodeDiskDumpHeader(b: Uint8Array, order: ByteOrder): DiskDumpHeader {
  const v = new Fields(b, order);
  return {
    signature: latin1.decode(b.subarray(0, 8)),
    headerVersion: v.i32(8),
    utsname: b.slice(12, 12 + UTSNAME_SIZE),
    timestampSec: v.i64(408),
    timestampUsec: v.i64(416),
    status: v.u32(424),
    blockSize: v.i32(428),
    subHdrSize: v.i32(432),
    bitmapBlocks: v.u32(436),
    maxMapnr: v.u32(440),
    totalRamBlocks: v.u32(444),
    deviceBlocks: v.u32(448),
    writtenBlocks: v.u32(452),
    currentCpu: v.u32(456),
    nrCpus: v.i32(460),
  };
}

const SUB_FIELDS = [
  'physBase', '', 'startPfn', 'endPfn', 'offsetVmcoreinfo', 'sizeVmcoreinfo', 'offsetNote', 'sizeNote',
  'offsetEraseinfo', 'sizeEraseinfo', 'startPfn64', 'endPfn64', 'maxMapnr64',
] as const;

export function encodeSubHeader(h: KdumpSubHeader, order: ByteOrder): Uint8Array {
  const b = new Uint8Array(KDUMP_SUB_HEADER_SIZE);
  const v = new Fields(b, order);
  SUB_FIELDS.forEach((f, i) => {
    if (f) v.setU64(i * 8, BigInt.asUintN(64, h[f]));
  });
  v.setI32(8, h.dumpLevel);
  v.setI32(12, h.split);
  return b;
}

export function decodeSubHeader(b: Uint8Array, order: ByteOrder): KdumpSubHeader {
  const v = new Fields(b, order);
  const h = { dumpLevel: v.i32(8), split: v.i32(12) } as KdumpSubHeader;
  SUB_FIELDS.forEach((f, i) => {
    if (f) h[f] = v.u64(i * 8);
  });
  return h;
}

export function encodePageDesc(out: Fields, at: number, d: PageDesc): void {
  out.setI64(at, BigInt(d.offset));
  out.setU32(at + 8, d.size);
  out.setU32(at + 12, d.flags);
  out.setU64(at + 16, d.pageFlags);
}

export function decodePageDesc(v: Fields, at: number): PageDesc {
  return {
    offset: Number(v.i64(at)),
    size: v.u32(at + 8),
    flags: v.u32(at + 12),
    pageFlags: v.u64(at + 16),
  };
}

/** One utsname field (0 sysname, 1 nodename, 2 release, 3 version, 4 machine, 5 domainname) as text. */
export function utsField(utsname: Uint8Array, index: number): string {
  const f = utsname.subarray(index * UTS_FIELD, (index + 1) * UTS_FIELD);
  const end = f.indexOf(0);
  return latin1.decode(end < 0 ? f : f.subarray(0, end));
}

/** Bytes of one bitmap (block-aligned), and the whole bitmap area (both bitmaps). */
export function bitmapLayout(maxPfn: number, blockSize: number): { halfBytes: number; bitmapBlocks: number } {
  const halfBlocks = Math.ceil(Math.ceil(maxPfn / 8) / blockSize);
  return { halfBytes: halfBlocks * blockSize, bitmapBlocks: 2 * halfBlocks };
}
