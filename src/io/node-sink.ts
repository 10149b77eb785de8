import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { VmsieveError } from '../errors.js';
import type { ByteSink, SequentialSink } from './sink.js';

export interface NodeFileSinkOptions {
  /** Replace an existing target (makedumpfile refuses; so do we unless asked). */
  overwrite?: boolean;
  /** File mode of the new file (default 0644; makedumpfile writes logs 0600). */
  mode?: number;
}

/**
 * Writes `NAME.partial-XXXX` beside the target with positional writes and renames it to the target on
 * close(), so a crash or abort never leaves a file that looks complete. abort() deletes the partial file.
 */
export class NodeFileSink implements ByteSink {
  private state: 'open' | 'closed' | 'aborted' = 'open';

  private constructor(
    private readonly handle: FileHandle,
    readonly target: string,
    readonly partialPath: string,
    readonly name: string,
  ) {}

  static async create(target: string, options: NodeFileSinkOptions = {}): Promise<NodeFileSink> {
    if (!options.overwrite && (await exists(target)))
      throw new VmsieveError('E_EXISTS', `cannot write ${target}: the file exists (give -f to overwrite it)`, { path: target });
    const partialPath = join(dirname(target), `${basename(target)}.partial-${randomBytes(3).toString('hex')}`);
    let handle: FileHandle;
    try {
      handle = await open(partialPath, 'wx', options.mode ?? 0o644);
    } catch (e) {
      throw new VmsieveError('E_IO', `cannot create ${partialPath}: ${(e as Error).message}`, { path: partialPath });
    }
    return new NodeFileSink(handle, target, partialPath, basename(target));
  }

  async write(offset: number, bytes: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new VmsieveError('E_IO', `${this.name}: write after ${this.state}`);
    let done = 0;
    try {
      // Synchronous pwrite, as NodeFileSource reads: the thread-pool round trip of an asynchronous write costs
      // more than copying a megabyte into the page cache.
      while (done < bytes.length) {
        const bytesWritten = writeSync(this.handle.fd, bytes, done, bytes.length - done, offset + done);
        if (bytesWritten <= 0) throw new Error('wrote 0 bytes');
        done += bytesWritten;
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new VmsieveError('E_IO', `cannot write ${this.partialPath} at offset ${offset + done}: ${(e as Error).message}`, {
        path: this.partialPath,
        offset: offset + done,
        errno: code,
      });
    }
  }

  async close(): Promise<void> {
    if (this.state !== 'open') throw new VmsieveError('E_IO', `${this.name}: close after ${this.state}`);
    this.state = 'closed';
    try {
      // No fsync, as makedumpfile: the rename comes only after every write succeeded, which is what keeps an
      // interrupted run from leaving a complete-looking file; surviving power loss is the filesystem's business.
      await this.handle.close();
      await rename(this.partialPath, this.target);
    } catch (e) {
      await unlink(this.partialPath).catch(() => undefined);
      throw new VmsieveError('E_IO', `cannot finish ${this.target}: ${(e as Error).message}`, { path: this.target });
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    const wasOpen = this.state === 'open';
    this.state = 'aborted';
    if (wasOpen) await this.handle.close().catch(() => undefined);
    await unlink(this.partialPath).catch(() => undefined);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** An append-only sink over a Node Writable (process.stdout for `-F`), honouring backpressure. */
export class NodeStreamSink implements SequentialSink {
  private failed: Error | undefined;

  constructor(
    private readonly stream: Writable,
    readonly name = 'stdout',
    /** End the stream on close() (false for process.stdout, which must stay open). */
    private readonly endOnClose = stream !== process.stdout,
  ) {
    stream.on('error', (e) => {
      this.failed = e;
    });
  }

  append(bytes: Uint8Array): Promise<void> {
    if (this.failed) return Promise.reject(this.wrap(this.failed));
    return new Promise((resolve, reject) => {
      // The callback fires once the chunk is handed to the OS, so the caller may then reuse `bytes`.
      this.stream.write(bytes, (e) => (e ? reject(this.wrap(e)) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.failed) throw this.wrap(this.failed);
    if (!this.endOnClose) return;
    await new Promise<void>((resolve, reject) => this.stream.end((e?: Error | null) => (e ? reject(this.wrap(e)) : resolve())));
  }

  async abort(): Promise<void> {
    if (this.endOnClose) this.stream.destroy();
  }

  private wrap(e: Error): VmsieveError {
    return new VmsieveError('E_IO', `cannot write ${this.name}: ${e.message}`);
  }
}
