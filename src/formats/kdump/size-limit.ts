// makedumpfile -L SIZE for kdump-compressed output: the file stops at SIZE bytes, descriptors of pages that do not fit
// whole are left zero (never written), and the header is flagged DUMP_DH_COMPRESSED_INCOMPLETE.
import type { ByteSink } from '../../io/sink.js';
import { Fields, type ByteOrder } from '../../model/byte-order.js';
import { countBits } from '../selection.js';
import { DISK_DUMP_HEADER_SIZE, DUMP_DH_COMPRESSED_INCOMPLETE, PAGE_DESC_SIZE, decodeDiskDumpHeader, type DiskDumpHeader } from './diskdump.js';

const STATUS_AT = 424;

/**
 * Wraps the sink a kdump writer writes to. It learns the layout from what the writer writes first (the header, then
 * the 2nd bitmap, whose bits number the descriptors), drops every byte past the limit, zeroes the descriptors from the
 * first page that does not fit on, and when anything was dropped sets the incomplete flag as the file is closed.
 */
export class SizeLimitedKdumpSink implements ByteSink {
  readonly name: string;
  /** Whether something did not fit: the file is then incomplete. */
  overflowed = false;
  private header: DiskDumpHeader | undefined;
  private headerBytes: Uint8Array | undefined;
  private dumpable = 0;
  /** Index of the first descriptor whose page does not fit (the writer writes the table in order). */
  private stoppedAt: number | undefined;

  constructor(
    private readonly inner: ByteSink,
    readonly limit: number,
    /** The byte order the writer writes the header and descriptors in (the dump's). */
    private readonly order: ByteOrder,
  ) {
    this.name = inner.name;
  }

  async write(offset: number, bytes: Uint8Array): Promise<void> {
    if (offset === 0 && bytes.length >= DISK_DUMP_HEADER_SIZE) {
      this.headerBytes = bytes.slice(0, DISK_DUMP_HEADER_SIZE);
      this.header = decodeDiskDumpHeader(this.headerBytes, this.order);
    }
    const h = this.header;
    if (h) {
      const bs = h.blockSize;
      const bitmap2At = (1 + h.subHdrSize) * bs + (h.bitmapBlocks * bs) / 2;
      const descAt = (1 + h.subHdrSize + h.bitmapBlocks) * bs;
      if (offset >= bitmap2At && offset < descAt) this.dumpable += countBits(bytes, Math.min(bytes.length, descAt - offset) * 8);
      const descEnd = descAt + this.dumpable * PAGE_DESC_SIZE;
      if (offset >= descAt && offset < descEnd) bytes = this.unwrittenZeroed(bytes, offset, descAt);
    }
    if (offset + bytes.length > this.limit) this.overflowed = true;
    if (offset >= this.limit) return;
    await this.inner.write(offset, offset + bytes.length > this.limit ? bytes.subarray(0, this.limit - offset) : bytes);
  }

  /**
   * The descriptors in `bytes` with every one from the first whose page ends past the limit zeroed (a copy when any
   * is): makedumpfile stops at that page, so no later descriptor is written, not even one for the shared zero page.
   */
  private unwrittenZeroed(bytes: Uint8Array, offset: number, descAt: number): Uint8Array {
    let out = bytes;
    const first = Math.ceil((offset - descAt) / PAGE_DESC_SIZE) * PAGE_DESC_SIZE + descAt - offset;
    for (let at = first; at + PAGE_DESC_SIZE <= bytes.length; at += PAGE_DESC_SIZE) {
      const index = (offset + at - descAt) / PAGE_DESC_SIZE;
      const v = new Fields(out.subarray(at, at + PAGE_DESC_SIZE), this.order);
      if (this.stoppedAt === undefined && Number(v.i64(0)) + v.u32(8) > this.limit) this.stoppedAt = index;
      if (this.stoppedAt === undefined || index < this.stoppedAt) continue;
      if (out === bytes) out = bytes.slice();
      out.fill(0, at, at + PAGE_DESC_SIZE);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.overflowed && this.headerBytes) {
      const v = new Fields(this.headerBytes, this.order);
      v.setU32(STATUS_AT, v.u32(STATUS_AT) | DUMP_DH_COMPRESSED_INCOMPLETE);
      await this.inner.write(0, this.headerBytes);
    }
    await this.inner.close();
  }

  abort(): Promise<void> {
    return this.inner.abort();
  }
}
