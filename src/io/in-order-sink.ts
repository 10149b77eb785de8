import { VmsieveError } from '../errors.js';
import { StreamBackedSink } from './stream-backed-sink.js';

/** The most zero bytes appended at once for a gap no write filled. */
const ZERO_CHUNK = 1 << 20;

/**
 * A positional sink over an append-only stream (a download) that keeps the file's own bytes, not a flattened
 * encoding of them: writes must come in ascending offset order, and bytes skipped between two writes are zeros (never
 * written, as in any sink). A write behind the bytes already sent cannot be honoured and fails with E_UNSUPPORTED, so
 * a writer that cannot write front to back fails at once instead of producing a wrong file.
 */
export class InOrderSink extends StreamBackedSink {
  readonly inOrder = true;
  /** Bytes sent so far: the next write starts here or later. */
  private sent = 0;

  protected async put(offset: number, bytes: Uint8Array): Promise<void> {
    if (offset < this.sent)
      throw new VmsieveError('E_UNSUPPORTED', `${this.name}: this output cannot be streamed: a write at byte ${offset} goes back before the ${this.sent} bytes already sent`);
    while (this.sent < offset) {
      const gap = Math.min(ZERO_CHUNK, offset - this.sent);
      await this.out.append(new Uint8Array(gap));
      this.sent += gap;
    }
    if (bytes.length === 0) return;
    await this.out.append(bytes);
    this.sent += bytes.length;
  }
}
