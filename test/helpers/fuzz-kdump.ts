import { DISK_DUMP_HEADER_SIZE, KDUMP_SUB_HEADER_SIZE, PAGE_DESC_SIZE, decodeDiskDumpHeader, decodeSubHeader } from '../../src/formats/kdump/diskdump.js';
import { isKdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { splitRanges, writeSplitMember } from '../../src/formats/kdump/split-write.js';
import { openDump } from '../../src/formats/open-dump.js';
import { MemorySink } from '../../src/io/sink.js';
import { MemorySource } from '../../src/io/source.js';

/** Where a kdump-compressed file's parts are, computed from its headers here (not by the reader under test). */
export interface KdumpLayout {
  blockSize: number;
  maxPfn: number;
  subHeaderAt: number;
  bitmap1At: number;
  bitmap2At: number;
  /** Bytes of each bitmap that hold bits (ceil(maxPfn/8)). */
  bitmapBytes: number;
  descAt: number;
  /** Descriptors of the whole dump (set bits of the 2nd bitmap). */
  dumpable: number;
  /** First byte after a table of `dumpable` descriptors: the shared zero page, or the first page. */
  dataStart: number;
}

export function kdumpLayout(b: Uint8Array): KdumpLayout {
  const h = decodeDiskDumpHeader(b.subarray(0, DISK_DUMP_HEADER_SIZE), 'little');
  const bs = h.blockSize;
  const sub = decodeSubHeader(b.subarray(bs, bs + KDUMP_SUB_HEADER_SIZE), 'little');
  const maxPfn = h.headerVersion >= 6 ? Number(sub.maxMapnr64) : h.maxMapnr;
  const bitmap1At = (1 + h.subHdrSize) * bs;
  const area = h.bitmapBlocks * bs;
  const bitmap2At = bitmap1At + area / 2;
  const bitmapBytes = Math.ceil(maxPfn / 8);
  let dumpable = 0;
  for (let pfn = 0; pfn < maxPfn; pfn++) dumpable += (b[bitmap2At + (pfn >> 3)]! >> (pfn & 7)) & 1;
  const descAt = bitmap1At + area;
  return { blockSize: bs, maxPfn, subHeaderAt: bs, bitmap1At, bitmap2At, bitmapBytes, descAt, dumpable, dataStart: descAt + dumpable * PAGE_DESC_SIZE };
}

/** `file` (an unsplit kdump file) written as a split set of `n` members, as `vmsieve --split` writes one. */
export async function splitSetOf(file: Uint8Array, n: number): Promise<Uint8Array[]> {
  const whole = await openDump(new MemorySource(file, 'whole.kdump'));
  if (!isKdumpDump(whole)) throw new Error('not a kdump file');
  const out: Uint8Array[] = [];
  for (const range of splitRanges(whole.bitmap2, whole.maxPfn, whole.pageSize, n, 4 << 20)) {
    const sink = new MemorySink();
    await writeSplitMember(whole, range, sink);
    out.push(sink.bytes().slice());
  }
  return out;
}
