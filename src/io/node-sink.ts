import { randomBytes } from 'node:crypto';
import { writeSync, type Stats } from 'node:fs';
import { link, lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { VmsieveError } from '../errors.js';
import type { ByteSink, SequentialSink } from './sink.js';

export interface NodeFileSinkOptions {
  /**
   * Replace what is at the target name (makedumpfile refuses; so do we unless asked). A symbolic link there is
   * replaced itself: the file it points to is never written.
   */
  overwrite?: boolean;
  /** Once aborted, every write fails with E_CANCELLED, whichever writer calls it. */
  signal?: AbortSignal;
}

/** A dump is a copy of a machine's memory: only its owner may read it (as makedumpfile creates it). */
const OWNER_ONLY = 0o600;

/**
 * How long synchronous writes may hold the thread before one turn of the event loop. Reads and writes of a file
 * export are synchronous, so an export without a codec (no worker messages to wait for) would otherwise never let
 * a SIGINT handler, or anything else queued, run until it ended.
 */
const YIELD_EVERY_MS = 20;

/** What is at `path` itself (a symbolic link is not followed), or undefined. */
async function entryAt(path: string): Promise<Stats | undefined> {
  return lstat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw new VmsieveError('E_IO', `cannot check ${path}: ${e.message}`, { path });
  });
}

function existsError(target: string, when = ''): VmsieveError {
  return new VmsieveError('E_EXISTS', `cannot write ${target}: the file exists${when} (give -f to overwrite it)`, { path: target });
}

/** Refuses `target` when anything is at that name, a dangling symbolic link included. */
export async function refuseExisting(target: string): Promise<void> {
  if (await entryAt(target)) throw existsError(target);
}

/** Creates `path` only if no entry of that name exists (O_EXCL: not even a symbolic link is followed). */
async function createExclusive(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'wx', OWNER_ONLY);
  } catch (e) {
    throw new VmsieveError('E_IO', `cannot create ${path}: ${(e as Error).message}`, { path });
  }
}

/**
 * Gives the finished `partial` the name `target` only if that name is still free: link(2) fails when any entry
 * has the name, so a file that appeared while the export ran is never replaced (a stat before a rename would race).
 */
async function linkExclusive(partial: string, target: string): Promise<void> {
  try {
    await link(partial, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw existsError(target, ': it appeared while the dump was written');
    // FAT and exFAT have no hard links. An exclusive create claims the name instead and the rename replaces that
    // empty file: only a file put there between the two calls, after ours was removed, could be lost.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    await (await createExclusive(target)).close();
    await rename(partial, target);
    return;
  }
  await unlink(partial);
}

/**
 * Writes `NAME.partial-XXXX` beside the target (created exclusively, mode 0600) with positional writes and gives it
 * the target's name on close(), so a crash or abort never leaves a file that looks complete. abort() deletes the
 * partial file.
 */
export class NodeFileSink implements ByteSink {
  private state: 'open' | 'closed' | 'aborted' = 'open';
  private yieldedAt = performance.now();

  private constructor(
    private readonly handle: FileHandle,
    readonly target: string,
    readonly partialPath: string,
    readonly name: string,
    /** Puts the finished partial file at the target name. */
    private readonly finish: () => Promise<void>,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /**
   * Without `overwrite` an existing target is refused now and again at close(), when the name is taken exclusively.
   * With it, the target is replaced by a rename, and a replaced file's mode is kept if narrower than 0600.
   */
  static async create(target: string, options: NodeFileSinkOptions = {}): Promise<NodeFileSink> {
    const replaced = await entryAt(target);
    if (replaced && !options.overwrite) throw existsError(target);
    const partialPath = join(dirname(target), `${basename(target)}.partial-${randomBytes(3).toString('hex')}`);
    const handle = await createExclusive(partialPath);
    // Our own new file: fchmod fails only where modes mean nothing (FAT refuses it unless mounted quiet).
    if (replaced?.isFile()) await handle.chmod((await handle.stat()).mode & replaced.mode & 0o777).catch(() => undefined);
    const finish = options.overwrite ? () => rename(partialPath, target) : () => linkExclusive(partialPath, target);
    return new NodeFileSink(handle, target, partialPath, basename(target), finish, options.signal);
  }

  /**
   * A scratch file in `dir` under a new random name no other file has (created exclusively), written in place:
   * `target` is its own path, close() leaves it there for the caller to read and remove; abort() deletes it.
   */
  static async scratch(dir: string, options: Pick<NodeFileSinkOptions, 'signal'> = {}): Promise<NodeFileSink> {
    const path = join(dir, `.vmsieve-scratch-${randomBytes(8).toString('hex')}`);
    const handle = await createExclusive(path);
    return new NodeFileSink(handle, path, path, basename(path), async () => undefined, options.signal);
  }

  async write(offset: number, bytes: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new VmsieveError('E_IO', `${this.name}: write after ${this.state}`);
    if (performance.now() - this.yieldedAt >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.yieldedAt = performance.now();
    }
    if (this.signal?.aborted) throw new VmsieveError('E_CANCELLED', `${this.name}: ${(this.signal.reason as Error)?.message ?? 'cancelled'}`);
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
      // No fsync, as makedumpfile: the name is given only after every write succeeded, which is what keeps an
      // interrupted run from leaving a complete-looking file; surviving power loss is the filesystem's business.
      await this.handle.close();
      await this.finish();
    } catch (e) {
      await unlink(this.partialPath).catch(() => undefined);
      if (e instanceof VmsieveError) throw e;
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
