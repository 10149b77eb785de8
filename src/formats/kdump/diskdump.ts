// kdump-compressed ("diskdump") on-disk structures, LP64 little-endian (the layout of makedumpfile's diskdump_mod.h).
import type { CodecId } from '../../codecs/registry.js';

export const KDUMP_SIGNATURE = 'KDUMP   ';
export const DISKDUMP_SIGNATURE = 'DISKDUMP';
export const DISK_DUMP_HEADER_SIZE = 464;
export const KDUMP_SUB_HEADER_SIZE = 104;
export const PAGE_DESC_SIZE = 24;
export const UTSNAME_SIZE = 390;
export const UTS_FIELD = 65;

export const DUMP_DH_COMPRESSED_ZLIB = 0x1;
export const DUMP_DH_COMPRESSED_LZO = 0x2;
export const DUMP_DH_COMPRESSED_SNAPPY = 0x4;
export const DUMP_DH_COMPRESSED_INCOMPLETE = 0x8;
export const DUMP_DH_EXCLUDED_VMEMMAP = 0x10;
export const DUMP_DH_COMPRESSED_ZSTD = 0x20;

/** Header status bit and page_desc flag of each codec. */
export const CODEC_FLAG: Record<CodecId, number> = {
  zlib: DUMP_DH_COMPRESSED_ZLIB,
  lzo: DUMP_DH_COMPRESSED_LZO,
  snappy: DUMP_DH_COMPRESSED_SNAPPY,
  zstd: DUMP_DH_COMPRESSED_ZSTD,
};

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

export function encodeDiskDumpHeader(h: DiskDumpHeader): Uint8Array {
  const b = new Uint8Array(DISK_DUMP_HEADER_SIZE);
  const v = new DataView(b.buffer);
  for (let i = 0; i < 8; i++) b[i] = h.signature.charCodeAt(i) & 0xff;
  v.setInt32(8, h.headerVersion, true);
  b.set(h.utsname.subarray(0, UTSNAME_SIZE), 12);
  v.setBigInt64(408, h.timestampSec, true);
  v.setBigInt64(416, h.timestampUsec, true);
  v.setUint32(424, h.status, true);
  v.setInt32(428, h.blockSize, true);
  v.setInt32(432, h.subHdrSize, true);
  v.setUint32(436, h.bitmapBlocks, true);
  v.setUint32(440, h.maxMapnr, true);
  v.setUint32(444, h.totalRamBlocks, true);
  v.setUint32(448, h.deviceBlocks, true);
  v.setUint32(452, h.writtenBlocks, true);
  v.setUint32(456, h.currentCpu, true);
  v.setInt32(460, h.nrCpus, true);
  return b;
}

export function decodeDiskDumpHeader(b: Uint8Array): DiskDumpHeader {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    signature: latin1.decode(b.subarray(0, 8)),
    headerVersion: v.getInt32(8, true),
    utsname: b.slice(12, 12 + UTSNAME_SIZE),
    timestampSec: v.getBigInt64(408, true),
    timestampUsec: v.getBigInt64(416, true),
    status: v.getUint32(424, true),
    blockSize: v.getInt32(428, true),
    subHdrSize: v.getInt32(432, true),
    bitmapBlocks: v.getUint32(436, true),
    maxMapnr: v.getUint32(440, true),
    totalRamBlocks: v.getUint32(444, true),
    deviceBlocks: v.getUint32(448, true),
    writtenBlocks: v.getUint32(452, true),
    currentCpu: v.getUint32(456, true),
    nrCpus: v.getInt32(460, true),
  };
}

const SUB_FIELDS = [
  'physBase', '', 'startPfn', 'endPfn', 'offsetVmcoreinfo', 'sizeVmcoreinfo', 'offsetNote', 'sizeNote',
  'offsetEraseinfo', 'sizeEraseinfo', 'startPfn64', 'endPfn64', 'maxMapnr64',
] as const;

export function encodeSubHeader(h: KdumpSubHeader): Uint8Array {
  const b = new Uint8Array(KDUMP_SUB_HEADER_SIZE);
  const v = new DataView(b.buffer);
  SUB_FIELDS.forEach((f, i) => {
    if (f) v.setBigUint64(i * 8, BigInt.asUintN(64, h[f]), true);
  });
  v.setInt32(8, h.dumpLevel, true);
  v.setInt32(12, h.split, true);
  return b;
}

export function decodeSubHeader(b: Uint8Array): KdumpSubHeader {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const h = { dumpLevel: v.getInt32(8, true), split: v.getInt32(12, true) } as KdumpSubHeader;
  SUB_FIELDS.forEach((f, i) => {
    if (f) h[f] = v.getBigUint64(i * 8, true);
  });
  return h;
}

export function encodePageDesc(out: DataView, at: number, d: PageDesc): void {
  out.setBigInt64(at, BigInt(d.offset), true);
  out.setUint32(at + 8, d.size, true);
  out.setUint32(at + 12, d.flags, true);
  out.setBigUint64(at + 16, d.pageFlags, true);
}

export function decodePageDesc(v: DataView, at: number): PageDesc {
  return {
    offset: Number(v.getBigInt64(at, true)),
    size: v.getUint32(at + 8, true),
    flags: v.getUint32(at + 12, true),
    pageFlags: v.getBigUint64(at + 16, true),
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
