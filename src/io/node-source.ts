import { fstatSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { VmsieveError } from '../errors.js';
import { preadBytes, preadFully } from './node-reader.js';
import type { SourceRef } from './source-ref.js';
import type { Destination } from './worker-reader.js';
import { checkRange, type ByteSource } from './source.js';

export class NodeFileSource implements ByteSource {
  private constructor(
    private readonly fd: number,
    readonly size: number,
    readonly name: string,
    private readonly release: () => Promise<void>,
  ) {}

  static async open(path: string): Promise<NodeFileSource> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw new VmsieveError('E_IO', `cannot open ${path}: ${(e as Error).message}`);
    }
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw new VmsieveError('E_IO', `${path} is not a regular file`);
    }
    return new NodeFileSource(handle.fd, stat.size, basename(path), () => handle.close());
  }

  /** A file the caller has open (a descriptor it keeps: close() leaves it open). */
  static fromFd(fd: number, name = `fd ${fd}`): NodeFileSource {
    let stat;
    try {
      stat = fstatSync(fd);
    } catch (e) {
      throw new VmsieveError('E_IO', `cannot read ${name}: ${(e as Error).message}`);
    }
    if (!stat.isFile()) throw new VmsieveError('E_IO', `${name} is not a regular file`);
    return new NodeFileSource(fd, stat.size, name, async () => undefined);
  }

  /**
   * Synchronous pread under the promise: a dump is read in many small pieces (struct pages, the pages a level
   * keeps), and the thread-pool round trip of an asynchronous read costs more than the read itself. Compression
   * runs in worker threads, so blocking this thread for one read holds nothing up.
   */
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length, 'read');
    return preadBytes(this.fd, this.name, offset, length);
  }

  async readInto(offset: number, dest: Destination): Promise<void> {
    const out = dest(); // synchronous from here on: the view stays valid
    checkRange(this, offset, out.length, 'read');
    preadFully(this.fd, this.name, out, offset);
  }

  ref(): SourceRef {
    return { kind: 'fd', fd: this.fd, name: this.name, size: this.size };
  }

  async close(): Promise<void> {
    await this.release();
  }
}
