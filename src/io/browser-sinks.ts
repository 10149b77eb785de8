import { VmsieveError } from '../errors.js';
import type { ByteSink } from './sink.js';

/** The part of a File System Access writable stream the sink uses (Chromium's `createWritable()`; OPFS handles in Firefox and Safari). */
export interface PositionalWritableStream {
  write(data: { type: 'write'; position: number; data: BufferSource }): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}

/** The part of `FileSystemSyncAccessHandle` the sink uses (OPFS, dedicated workers only). */
export interface SyncAccessHandleLike {
  write(buffer: BufferSource, options?: { at?: number }): number;
  flush(): void;
  close(): void;
  truncate(size: number): void;
}

type State = 'open' | 'closed' | 'aborted';

function checkOffset(offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad offset ${offset}`);
}

function ioError(name: string, what: string, e: unknown): VmsieveError {
  if (e instanceof VmsieveError) return e;
  const quota = e instanceof DOMException && e.name === 'QuotaExceededError';
  const msg = e instanceof Error ? e.message : String(e);
  return new VmsieveError('E_IO', `${name}: ${what} failed${quota ? ' (the disk or the browser storage quota is full)' : ''}: ${msg}`, { cause: e instanceof DOMException ? e.name : undefined });
}

/** Chromium's `FileSystemHandle.remove()` (not in every browser). */
type RemovableHandle = FileSystemFileHandle & { remove?: () => Promise<void> };

/**
 * A ByteSink over a `FileSystemWritableFileStream` (a file chosen with `showSaveFilePicker`, or any handle's
 * `createWritable()`). Writes are positional and queued one after another (the stream takes one write at a time).
 * Nothing is visible under the file's name until `close()`: Chromium writes to `<name>.crswap` and swaps it in, and
 * `abort()` discards the swap file, so a cancelled or failed export never leaves a complete-looking file. The save
 * dialog creates the chosen file empty: `abort()` removes it again when it was empty, and leaves a file that held
 * something as it was.
 */
export class WritableStreamSink implements ByteSink {
  private state: State = 'open';
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly stream: PositionalWritableStream,
    readonly name: string,
    /** Removes the file this sink was opened on, when nothing was lost by removing it. */
    private readonly removeEmpty: () => Promise<void> = async () => undefined,
  ) {}

  /** Opens `handle` for writing from scratch (`keepExistingData: false`), the way a save dialog expects. */
  static async create(handle: FileSystemFileHandle): Promise<WritableStreamSink> {
    try {
      const wasEmpty = await handle.getFile().then((f) => f.size === 0, () => false);
      const remove = (handle as RemovableHandle).remove?.bind(handle);
      const stream = await handle.createWritable({ keepExistingData: false });
      return new WritableStreamSink(stream as unknown as PositionalWritableStream, handle.name, async () => {
        if (wasEmpty) await remove?.().catch(() => undefined);
      });
    } catch (e) {
      throw ioError(handle.name, 'opening the file for writing', e);
    }
  }

  write(offset: number, bytes: Uint8Array): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new VmsieveError('E_IO', `${this.name}: write after ${this.state}`));
    checkOffset(offset);
    const data = bytes as Uint8Array<ArrayBuffer>;
    const p = this.tail.then(() => {
      if (this.failure !== undefined) throw this.failure;
      if (this.state === 'aborted') throw new VmsieveError('E_CANCELLED', `${this.name}: aborted`);
      return this.stream.write({ type: 'write', position: offset, data }).catch((e: unknown) => {
        this.failure ??= ioError(this.name, `writing ${bytes.length} bytes at ${offset}`, e);
        throw this.failure;
      });
    });
    this.tail = p.catch(() => undefined);
    return p;
  }

  async close(): Promise<void> {
    if (this.state === 'aborted') throw new VmsieveError('E_IO', `${this.name}: close after abort`);
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.tail;
    if (this.failure !== undefined) {
      await this.stream.abort().catch(() => undefined);
      throw this.failure;
    }
    try {
      await this.stream.close();
    } catch (e) {
      throw ioError(this.name, 'saving the file', e);
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    const wasClosed = this.state === 'closed';
    this.state = 'aborted';
    if (wasClosed) return;
    // Abort at once: a write still queued in the stream is rejected, and the swap file is deleted.
    await this.stream.abort(new VmsieveError('E_CANCELLED', 'export cancelled')).catch(() => undefined);
    await this.removeEmpty();
  }
}

/**
 * A ByteSink over an OPFS file's `FileSystemSyncAccessHandle` (dedicated workers only; every modern browser).
 * For browsers without `showSaveFilePicker`: the output is written into the origin-private file system and offered
 * as a download afterwards (`getFile()` → Blob URL). `abort()` closes the handle and deletes the file.
 */
export class OpfsSyncSink implements ByteSink {
  private state: State = 'open';

  private constructor(
    private readonly dir: FileSystemDirectoryHandle,
    readonly handle: FileSystemFileHandle,
    private readonly access: SyncAccessHandleLike,
  ) {}

  get name(): string {
    return this.handle.name;
  }

  /** Creates (or empties) `name` in `dir` and takes its exclusive sync access handle. */
  static async create(dir: FileSystemDirectoryHandle, name: string): Promise<OpfsSyncSink> {
    const handle = await dir.getFileHandle(name, { create: true });
    const withSync = handle as FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncAccessHandleLike> };
    let access: SyncAccessHandleLike;
    try {
      if (typeof withSync.createSyncAccessHandle !== 'function')
        throw new VmsieveError('E_UNSUPPORTED', 'this browser cannot write files in the origin-private file system from a worker (no createSyncAccessHandle)');
      access = await withSync.createSyncAccessHandle();
      access.truncate(0);
    } catch (e) {
      // The file just created would stay behind, empty.
      await dir.removeEntry(name).catch(() => undefined);
      throw ioError(name, 'opening the browser-storage file', e);
    }
    return new OpfsSyncSink(dir, handle, access);
  }

  async write(offset: number, bytes: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new VmsieveError('E_IO', `${this.name}: write after ${this.state}`);
    checkOffset(offset);
    let done = 0;
    try {
      while (done < bytes.length) {
        const n = this.access.write(bytes.subarray(done) as Uint8Array<ArrayBuffer>, { at: offset + done });
        if (n <= 0) throw new Error('no bytes written');
        done += n;
      }
    } catch (e) {
      throw ioError(this.name, `writing ${bytes.length} bytes at ${offset}`, e);
    }
  }

  async close(): Promise<void> {
    if (this.state === 'aborted') throw new VmsieveError('E_IO', `${this.name}: close after abort`);
    if (this.state === 'closed') return;
    this.state = 'closed';
    try {
      this.access.flush();
      this.access.close();
    } catch (e) {
      throw ioError(this.name, 'saving the file', e);
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    const open = this.state === 'open';
    this.state = 'aborted';
    if (open) {
      try {
        this.access.close();
      } catch {
        // already closed
      }
    }
    await this.dir.removeEntry(this.name).catch(() => undefined);
  }
}
