// makedumpfile's flattened format (-F, and -R to undo it): a 4096-byte header
// ("makedumpfile", type 1, version 1, big-endian) then records {int64 BE offset, int64 BE size, data}
// meaning "these bytes belong at offset" of the normal file, ended by {-1, -1}.
import { VmsieveError } from '../../errors.js';
import type { ByteSink } from '../../io/sink.js';
import { StreamBackedSink } from '../../io/stream-backed-sink.js';
import type { ByteSource } from '../../io/source.js';

export const FLAT_SIGNATURE = 'makedumpfile';
export const FLAT_HEADER_SIZE = 4096;
export const FLAT_TYPE = 1n;
export const FLAT_VERSION = 1n;
const RECORD_HEADER = 16;
/** Records longer than this are split (makedumpfile's own never exceed its 64 KiB cache; readers index them). */
const MAX_RECORD = 1 << 20;

export function flatHeader(): Uint8Array {
  const h = new Uint8Array(FLAT_HEADER_SIZE);
  for (let i = 0; i < FLAT_SIGNATURE.length; i++) h[i] = FLAT_SIGNATURE.charCodeAt(i);
  const v = new DataView(h.buffer);
  v.setBigInt64(16, FLAT_TYPE, false);
  v.setBigInt64(24, FLAT_VERSION, false);
  return h;
}

function recordHeader(offset: number, size: number): Uint8Array {
  const b = new Uint8Array(RECORD_HEADER);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(offset), false);
  v.setBigInt64(8, BigInt(size), false);
  return b;
}

/**
 * A positional sink that writes the flattened format to an append-only stream, so any writer (kdump,
 * ELF) can produce `-F` output for stdout or a download stream without seeking.
 */
export class FlattenedSink extends StreamBackedSink {
  private started = false;
  /** Bytes appended to the stream so far. */
  streamBytes = 0;

  private async append(b: Uint8Array): Promise<void> {
    await this.out.append(b);
    this.streamBytes += b.length;
  }

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.append(flatHeader());
  }

  protected async put(offset: number, bytes: Uint8Array): Promise<void> {
    await this.start();
    for (let at = 0; at < bytes.length; at += MAX_RECORD) {
      const part = bytes.subarray(at, Math.min(bytes.length, at + MAX_RECORD));
      await this.append(recordHeader(offset + at, part.length));
      await this.append(part);
    }
  }

  protected async finish(): Promise<void> {
    await this.start();
    await this.append(recordHeader(-1, -1));
  }
}

/** Pulls exact byte counts out of a chunked stream. */
class StreamReader {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private readonly it: AsyncIterator<Uint8Array>;
  consumed = 0;

  constructor(input: AsyncIterable<Uint8Array>) {
    this.it = input[Symbol.asyncIterator]();
  }

  /** Up to `max` bytes (at least 1) or undefined at the end of the stream. */
  async some(max: number): Promise<Uint8Array | undefined> {
    while (this.pos >= this.buf.length) {
      const r = await this.it.next();
      if (r.done) return undefined;
      this.buf = r.value;
      this.pos = 0;
    }
    const n = Math.min(max, this.buf.length - this.pos);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.consumed += n;
    return out;
  }

  /** Exactly n bytes, or fewer only at the end of the stream. */
  async exact(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const part = await this.some(n - got);
      if (!part) return out.subarray(0, got);
      out.set(part, got);
      got += part.length;
    }
    return out;
  }
}

export interface RestoreResult {
  records: number;
  /** Size of the restored file (the highest byte written). */
  fileSize: number;
  /** Bytes of flattened input consumed. */
  inputBytes: number;
}

/**
 * makedumpfile -R: replays a flattened stream into a positional sink (records may come in any order;
 * later ones overwrite earlier ones). The caller owns the sink.
 */
export async function restoreFlattened(input: AsyncIterable<Uint8Array>, sink: ByteSink, name = 'input'): Promise<RestoreResult> {
  const r = new StreamReader(input);
  const head = await r.exact(FLAT_HEADER_SIZE);
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const sig = new TextDecoder('latin1').decode(head.subarray(0, FLAT_SIGNATURE.length));
  if (head.length < 32 || sig !== FLAT_SIGNATURE)
    throw new VmsieveError('E_UNKNOWN_FORMAT', `${name} is not in makedumpfile's flattened format (no "makedumpfile" signature)`);
  if (hv.getBigInt64(16, false) !== FLAT_TYPE)
    throw new VmsieveError('E_BAD_HEADER', `${name}: flattened header type is ${hv.getBigInt64(16, false)}, not 1`);
  if (head.length < FLAT_HEADER_SIZE) throw new VmsieveError('E_TRUNCATED', `${name} ends inside the flattened header`);
  let records = 0;
  let fileSize = 0;
  for (;;) {
    const rh = await r.exact(RECORD_HEADER);
    if (rh.length < RECORD_HEADER)
      throw new VmsieveError('E_TRUNCATED', `${name} ends after ${records} records without the end marker: the flattened stream is truncated`, { records });
    const v = new DataView(rh.buffer, rh.byteOffset, rh.byteLength);
    const offset = v.getBigInt64(0, false);
    const size = v.getBigInt64(8, false);
    if (offset === -1n && size === -1n) break;
    if (offset < 0n || size <= 0n || offset + size > BigInt(Number.MAX_SAFE_INTEGER))
      throw new VmsieveError('E_BAD_HEADER', `${name}: flattened record ${records} has offset ${offset} and size ${size}: not a valid record or end marker`, { records });
    let at = Number(offset);
    let left = Number(size);
    while (left > 0) {
      const part = await r.some(Math.min(left, 1 << 20));
      if (!part) throw new VmsieveError('E_TRUNCATED', `${name} ends inside flattened record ${records}`, { records });
      await sink.write(at, part.slice());
      at += part.length;
      left -= part.length;
    }
    fileSize = Math.max(fileSize, at);
    records++;
  }
  return { records, fileSize, inputBytes: r.consumed };
}

/** A ByteSource (a File in the browser, a file in Node) as a stream of chunks, for restoreFlattened. */
export async function* sourceChunks(source: ByteSource, chunk = 1 << 20): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < source.size; at += chunk) yield await source.read(at, Math.min(chunk, source.size - at));
}

/** A web ReadableStream as an async iterable (Safari's streams are not iterable). */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
