// Reading makedumpfile's flattened format (-F; also QEMU's kdump-zlib/lzo/snappy) in place: one pass over the
// record headers builds an index from offsets of the file it stands for to offsets in the flattened file, and the
// index is then read like that restored file. The layout is makedumpfile's (its makedumpfile.h, struct makedumpfile_header and makedumpfile_data_header).
import { VmsieveError } from '../../errors.js';
import { appendExtent, checkRange, type ByteSource } from '../../io/source.js';
import type { SourceRef } from '../../io/source-ref.js';
import { FLAT_HEADER_SIZE, FLAT_SIGNATURE, FLAT_TYPE } from './flattened.js';

const RECORD_HEADER = 16;
/**
 * After a small record, this many bytes are read at once so the next small records' headers come with one read;
 * after a large one only the next header is read, so the walk never reads page data.
 */
const WALK_WINDOW = 64 << 10;
const SMALL_RECORD = 4096;
/**
 * 24 bytes of index per record: makedumpfile's records average 32 KiB, so a flattened 128 GiB dump needs about
 * 100 MiB at worst (uncompressed, 64 KiB records: 48 MiB). More records than this is not a dump.
 */
const MAX_RECORDS = 1 << 24;

export interface FlattenedIndex {
  /** Records in the file, the end marker excluded. */
  records: number;
  /** Size of the restored file: the highest byte any record writes. */
  restoredSize: number;
}

/** Which bytes of the restored file come from where: sorted, non-overlapping pieces. */
interface Pieces {
  count: number;
  start: Float64Array;
  length: Float64Array;
  /** Offset of the piece's first byte in the flattened file. */
  at: Float64Array;
}

/**
 * A flattened file seen as the file `makedumpfile -R` would restore from it. Bytes no record writes read as zero;
 * where records overlap, the later one wins, as when restoring.
 */
export class FlattenedSource implements ByteSource {
  private constructor(
    private readonly flat: ByteSource,
    private readonly pieces: Pieces,
    readonly index: FlattenedIndex,
  ) {}

  get name(): string {
    return this.flat.name;
  }

  get size(): number {
    return this.index.restoredSize;
  }

  /** Walks the record headers of `flat` once (never its page data) and indexes them. */
  static async open(flat: ByteSource): Promise<FlattenedSource> {
    const { pieces, index } = await indexRecords(flat);
    return new FlattenedSource(flat, pieces, index);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length, 'read');
    const p = this.pieces;
    const first = this.lastPieceFrom(offset);
    // One piece holds the whole range (the common case): one read, no copy.
    if (first >= 0 && offset + length <= p.start[first]! + p.length[first]!) return this.flat.read(p.at[first]! + (offset - p.start[first]!), length);
    const out = new Uint8Array(length);
    const end = offset + length;
    for (let i = Math.max(0, first); i < p.count && p.start[i]! < end; i++) {
      const from = Math.max(offset, p.start[i]!);
      const to = Math.min(end, p.start[i]! + p.length[i]!);
      if (from < to) out.set(await this.flat.read(p.at[i]! + (from - p.start[i]!), to - from), from - offset);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.flat.close?.();
  }

  locate(offset: number, length: number): { ref: SourceRef; extents: number[] } | undefined {
    const ref = this.flat.ref?.();
    if (!ref) return undefined;
    checkRange(this, offset, length, 'locate');
    const p = this.pieces;
    const extents: number[] = [];
    const end = offset + length;
    let at = offset;
    for (let i = Math.max(0, this.lastPieceFrom(offset)); i < p.count && p.start[i]! < end; i++) {
      const from = Math.max(at, p.start[i]!);
      const to = Math.min(end, p.start[i]! + p.length[i]!);
      if (from >= to) continue;
      if (from > at) appendExtent(extents, -1, from - at);
      appendExtent(extents, p.at[i]! + (from - p.start[i]!), to - from);
      at = to;
    }
    if (at < end) appendExtent(extents, -1, end - at);
    return { ref, extents };
  }

  /** The last piece starting at or before `offset`, or -1. */
  private lastPieceFrom(offset: number): number {
    const p = this.pieces;
    let lo = 0;
    let hi = p.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (p.start[mid]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

/** True when the first bytes are the flattened format's signature. */
export function isFlattened(head: Uint8Array): boolean {
  return new TextDecoder('latin1').decode(head.subarray(0, FLAT_SIGNATURE.length)) === FLAT_SIGNATURE;
}

async function indexRecords(flat: ByteSource): Promise<{ pieces: Pieces; index: FlattenedIndex }> {
  const name = flat.name;
  if (flat.size < FLAT_HEADER_SIZE)
    throw new VmsieveError('E_TRUNCATED', `${name} ends inside the flattened header (${flat.size} of ${FLAT_HEADER_SIZE} bytes)`);
  const head = await flat.read(0, 32);
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (!isFlattened(head)) throw new VmsieveError('E_UNKNOWN_FORMAT', `${name} is not in makedumpfile's flattened format (no "makedumpfile" signature)`);
  if (hv.getBigInt64(16, false) !== FLAT_TYPE)
    throw new VmsieveError('E_BAD_HEADER', `${name}: flattened header type is ${hv.getBigInt64(16, false)}, not 1`);

  let cap = 1024;
  let start: Float64Array = new Float64Array(cap);
  let length: Float64Array = new Float64Array(cap);
  let at: Float64Array = new Float64Array(cap);
  let n = 0;
  let restoredSize = 0;
  let cursor = FLAT_HEADER_SIZE;
  let window: Uint8Array = new Uint8Array(0);
  let windowAt = 0;
  let lastSize = 0;
  for (;;) {
    if (cursor + RECORD_HEADER > flat.size)
      throw new VmsieveError('E_TRUNCATED', `${name} ends after ${n} flattened records without the end marker: the file is truncated`, { records: n });
    if (cursor < windowAt || cursor + RECORD_HEADER > windowAt + window.length) {
      windowAt = cursor;
      window = await flat.read(cursor, Math.min(lastSize < SMALL_RECORD ? WALK_WINDOW : RECORD_HEADER, flat.size - cursor));
    }
    const v = new DataView(window.buffer, window.byteOffset + (cursor - windowAt), RECORD_HEADER);
    const offset = v.getBigInt64(0, false);
    const size = v.getBigInt64(8, false);
    if (offset === -1n && size === -1n) break;
    if (offset < 0n || size <= 0n || offset + size > BigInt(Number.MAX_SAFE_INTEGER))
      throw new VmsieveError('E_BAD_HEADER', `${name}: flattened record ${n} (at byte ${cursor}) has offset ${offset} and size ${size}: not a record or the end marker`, { records: n });
    const dataAt = cursor + RECORD_HEADER;
    if (dataAt + Number(size) > flat.size)
      throw new VmsieveError('E_TRUNCATED', `${name} ends inside flattened record ${n}: it needs bytes ${dataAt}..${dataAt + Number(size)} of ${flat.size}`, { records: n });
    if (n === MAX_RECORDS)
      throw new VmsieveError('E_ABSURD_SIZE', `${name} has more than ${MAX_RECORDS} flattened records: not a plausible dump`);
    if (n === cap) {
      cap *= 2;
      start = grow(start, cap);
      length = grow(length, cap);
      at = grow(at, cap);
    }
    start[n] = Number(offset);
    length[n] = Number(size);
    at[n] = dataAt;
    restoredSize = Math.max(restoredSize, Number(offset + size));
    n++;
    lastSize = Number(size);
    cursor = dataAt + lastSize;
  }
  if (n === 0) throw new VmsieveError('E_NO_LOAD', `${name} is a flattened file with no records: it holds no dump`);
  return { pieces: resolve(start.subarray(0, n), length.subarray(0, n), at.subarray(0, n)), index: { records: n, restoredSize } };
}

function grow(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/** Records in file order → sorted pieces; where records overlap, the later record's bytes are the ones kept. */
function resolve(start: Float64Array, length: Float64Array, at: Float64Array): Pieces {
  const n = start.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => start[a]! - start[b]! || a - b);
  let overlapping = false;
  for (let k = 1, end = start[order[0]!]! + length[order[0]!]!; k < n && !overlapping; k++) {
    const i = order[k]!;
    overlapping = start[i]! < end;
    end = Math.max(end, start[i]! + length[i]!);
  }
  if (!overlapping) {
    const pick = (a: Float64Array) => Float64Array.from(order, (i) => a[i]!);
    return { count: n, start: pick(start), length: pick(length), at: pick(at) };
  }
  return paint(start, length, at);
}

/**
 * The general case (rewritten regions): cuts the offsets at every record boundary and gives each elementary range
 * to the latest record covering it, with a sweep over the boundaries and a heap of the records open there.
 */
function paint(start: Float64Array, length: Float64Array, at: Float64Array): Pieces {
  const n = start.length;
  const cuts = Float64Array.from({ length: 2 * n }, (_, k) => (k < n ? start[k]! : start[k - n]! + length[k - n]!)).sort();
  const byStart = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => start[a]! - start[b]!);
  const heap: number[] = [];
  const push = (i: number) => {
    heap.push(i);
    for (let c = heap.length - 1; c > 0; ) {
      const p = (c - 1) >> 1;
      if (heap[p]! >= heap[c]!) break;
      [heap[p], heap[c]] = [heap[c]!, heap[p]!];
      c = p;
    }
  };
  const pop = () => {
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    for (let p = 0; ; ) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < heap.length && heap[l]! > heap[m]!) m = l;
      if (r < heap.length && heap[r]! > heap[m]!) m = r;
      if (m === p) break;
      [heap[p], heap[m]] = [heap[m]!, heap[p]!];
      p = m;
    }
  };
  const out = { start: [] as number[], length: [] as number[], at: [] as number[] };
  let next = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const from = cuts[k]!;
    const to = cuts[k + 1]!;
    if (from === to) continue;
    while (next < n && start[byStart[next]!]! <= from) push(byStart[next++]!);
    while (heap.length && start[heap[0]!]! + length[heap[0]!]! <= from) pop();
    if (!heap.length) continue;
    const top = heap[0]!;
    const fileAt = at[top]! + (from - start[top]!);
    const last = out.start.length - 1;
    if (last >= 0 && out.start[last]! + out.length[last]! === from && out.at[last]! + out.length[last]! === fileAt) out.length[last]! += to - from;
    else {
      out.start.push(from);
      out.length.push(to - from);
      out.at.push(fileAt);
    }
  }
  return { count: out.start.length, start: Float64Array.from(out.start), length: Float64Array.from(out.length), at: Float64Array.from(out.at) };
}
