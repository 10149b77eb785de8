import { VmsieveError } from '../errors.js';

/**
 * Positional writes of an output file (File System Access writable, OPFS sync handle, a Node fd, or a
 * flattened stream). Writers may write regions in any order; bytes never written read as zero, and the
 * file ends at the highest byte written. A sink may hold on to `bytes` until the returned promise
 * settles, so a writer must not change them before that.
 */
export interface ByteSink {
  readonly name: string;
  /**
   * The sink takes bytes in file order only (a download stream, see InOrderSink): a writer that can write its file
   * front to back does so, even at some cost; a write behind what was taken fails.
   */
  readonly inOrder?: boolean;
  /** Writes `bytes` at byte `offset` (< 2^53). Resolves when the sink no longer needs `bytes`. */
  write(offset: number, bytes: Uint8Array): Promise<void>;
  /** Finishes the file (flush, rename into place). No write may follow. */
  close(): Promise<void>;
  /** Discards everything written (deletes the partial file). Safe to call after a failed write or twice. */
  abort(): Promise<void>;
}

/** An append-only byte stream (stdout, a download stream): what the flattened format (-F) is written to. */
export interface SequentialSink {
  readonly name: string;
  /** Appends `bytes`; resolves when the sink no longer needs them (backpressure). */
  append(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** A growable in-memory file: for tests, small outputs, and browsers without a file sink. */
export class MemorySink implements ByteSink {
  private buf = new Uint8Array(1 << 16);
  private length = 0;
  private state: 'open' | 'closed' | 'aborted' = 'open';

  constructor(readonly name = 'memory') {}

  async write(offset: number, bytes: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new VmsieveError('E_IO', `${this.name}: write after ${this.state}`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad offset ${offset}`);
    const end = offset + bytes.length;
    if (end > this.buf.length) {
      let cap = this.buf.length;
      while (cap < end) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.set(bytes, offset);
    if (end > this.length) this.length = end;
  }

  async close(): Promise<void> {
    if (this.state === 'aborted') throw new VmsieveError('E_IO', `${this.name}: close after abort`);
    this.state = 'closed';
  }

  async abort(): Promise<void> {
    this.state = 'aborted';
    this.buf = new Uint8Array(0);
    this.length = 0;
  }

  /** The file as written so far (a view; copy it before writing more). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  get size(): number {
    return this.length;
  }
}

/** Collects an append-only stream in memory (tests; small flattened outputs). */
export class MemorySequentialSink implements SequentialSink {
  private readonly chunks: Uint8Array[] = [];
  private total = 0;
  constructor(readonly name = 'memory') {}
  async append(bytes: Uint8Array): Promise<void> {
    this.chunks.push(bytes.slice());
    this.total += bytes.length;
  }
  async close(): Promise<void> {}
  async abort(): Promise<void> {
    this.chunks.length = 0;
    this.total = 0;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
