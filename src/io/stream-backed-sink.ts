import { VmsieveError } from '../errors.js';
import type { ByteSink, SequentialSink } from './sink.js';

/**
 * A positional sink that writes to an append-only stream (stdout, a download): the states it goes through, and the
 * stream closed or aborted with it. Subclasses say how a write goes into the stream, and what ends it.
 */
export abstract class StreamBackedSink implements ByteSink {
  readonly name: string;
  private state: 'open' | 'closed' | 'aborted' = 'open';

  constructor(protected readonly out: SequentialSink) {
    this.name = out.name;
  }

  /** Appends what belongs at `offset` to the stream; `offset` is checked already. */
  protected abstract put(offset: number, bytes: Uint8Array): Promise<void>;

  /** What the stream gets last, before it is closed. */
  protected async finish(): Promise<void> {}

  async write(offset: number, bytes: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new VmsieveError('E_IO', `${this.name}: write after ${this.state}`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad offset ${offset}`);
    await this.put(offset, bytes);
  }

  async close(): Promise<void> {
    if (this.state !== 'open') throw new VmsieveError('E_IO', `${this.name}: close after ${this.state}`);
    await this.finish();
    this.state = 'closed';
    await this.out.close();
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    this.state = 'aborted';
    await this.out.abort();
  }
}
