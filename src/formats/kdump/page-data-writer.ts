import { STORED_RAW, storedLength } from '../../codecs/registry.js';
import { concatBytes } from '../../io/concat.js';
import type { ByteSink } from '../../io/sink.js';
import { Fields, type ByteOrder } from '../../model/byte-order.js';
import { PAGE_DESC_SIZE } from './diskdump.js';
import type { KdumpLayout } from './kdump-plan.js';
import type { EncodedBatch } from './page-encoder.js';

const DATA_FLUSH = 1 << 20;
const DESC_FLUSH = 4096;

/** How the dumpable pages were stored. */
export interface StoredCounts {
  /** Dumpable pages found zero-filled and stored as the one shared zero page. */
  zeroPages: number;
  rawPages: number;
  compressedPages: number;
}

/**
 * The descriptor table at its precomputed place and the page data appended after it (the shared zero page first when
 * zero pages are excluded), each gathered into large writes. Batches come in pfn order; a batch's stored pages are
 * contiguous, so its data is appended as the encoder gave it.
 */
export class PageDataWriter {
  readonly counts: StoredCounts = { zeroPages: 0, rawPages: 0, compressedPages: 0 };
  private descPos: number;
  private descBuf = new Uint8Array(DESC_FLUSH * PAGE_DESC_SIZE);
  private descView: Fields;
  private descCount = 0;
  /** Where dataChunks start in the file. */
  private dataPos: number;
  /** The next free byte for page data. */
  private dataEnd: number;
  private dataChunks: Uint8Array[] = [];
  private dataBuffered = 0;

  constructor(
    private readonly sink: ByteSink,
    private readonly layout: KdumpLayout,
    /** The descriptor flags of a compressed page. */
    private readonly codecFlag: number,
    private readonly excludeZero: boolean,
    private readonly order: ByteOrder,
  ) {
    this.descView = new Fields(this.descBuf, order);
    this.descPos = layout.descTableOffset;
    this.dataPos = this.dataEnd = layout.dataOffset;
    if (excludeZero) {
      this.dataChunks.push(new Uint8Array(layout.blockSize));
      this.dataBuffered = layout.blockSize;
      this.dataEnd += layout.blockSize;
    }
  }

  /** The descriptors and stored pages of the next `count` dumpable pages. */
  async add(count: number, batch: EncodedBatch): Promise<void> {
    const ps = this.layout.blockSize;
    const base = this.dataEnd;
    let dataAt = 0;
    for (let i = 0; i < count; i++) {
      let full: boolean;
      if (this.excludeZero && batch.zero[i]) {
        full = this.putDesc(this.layout.dataOffset, ps, 0);
        this.counts.zeroPages++;
      } else {
        const w = batch.sizes[i]!;
        const len = storedLength(w);
        if (w & STORED_RAW || len >= ps) {
          if (len !== ps) throw new Error(`internal: encoder stored a raw page as ${len} bytes`);
          full = this.putDesc(base + dataAt, ps, 0);
          this.counts.rawPages++;
        } else {
          full = this.putDesc(base + dataAt, len, this.codecFlag);
          this.counts.compressedPages++;
        }
        dataAt += len;
      }
      if (full) await this.flushDescs();
    }
    const pieces = batch.data instanceof Uint8Array ? [batch.data] : batch.data;
    const stored = pieces.reduce((n, p) => n + p.length, 0);
    if (stored !== dataAt) throw new Error(`internal: encoder gave ${stored} bytes for pages of ${dataAt}`);
    for (const piece of pieces) if (piece.length > 0) await this.pushData(piece);
  }

  /** Writes what is buffered; returns the end of the page data. */
  async finish(): Promise<number> {
    await this.flushDescs();
    await this.flushData();
    if (this.descPos !== this.layout.dataOffset)
      throw new Error(`internal: wrote descriptors up to ${this.descPos}, expected ${this.layout.dataOffset}`);
    return this.dataEnd;
  }

  /** Writes one page_desc_t into the table buffer; true when the buffer is full and must be flushed. */
  private putDesc(offset: number, size: number, flags: number): boolean {
    const at = this.descCount * PAGE_DESC_SIZE;
    const v = this.descView;
    v.setU64Number(at, offset);
    v.setU32(at + 8, size);
    v.setU32(at + 12, flags);
    return ++this.descCount === DESC_FLUSH;
  }

  private async pushData(bytes: Uint8Array): Promise<void> {
    // A chunk as large as the buffer (a worker's compressed batch) is flushed on its own, which writes it as it is:
    // gathering it with its neighbours would only copy it.
    if (bytes.length >= DATA_FLUSH) await this.flushData();
    this.dataChunks.push(bytes);
    this.dataBuffered += bytes.length;
    this.dataEnd += bytes.length;
    if (this.dataBuffered >= DATA_FLUSH) {
      await this.flushDescs();
      await this.flushData();
    }
  }

  private async flushDescs(): Promise<void> {
    if (this.descCount === 0) return;
    await this.sink.write(this.descPos, this.descBuf.subarray(0, this.descCount * PAGE_DESC_SIZE));
    this.descPos += this.descCount * PAGE_DESC_SIZE;
    this.descBuf = new Uint8Array(DESC_FLUSH * PAGE_DESC_SIZE);
    this.descView = new Fields(this.descBuf, this.order);
    this.descCount = 0;
  }

  private async flushData(): Promise<void> {
    if (this.dataBuffered === 0) return;
    await this.sink.write(this.dataPos, concatBytes(this.dataChunks));
    this.dataPos += this.dataBuffered;
    this.dataChunks = [];
    this.dataBuffered = 0;
  }
}
