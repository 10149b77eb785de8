import type { SourceRef } from './source-ref.js';
import { checkRange, type ByteSource } from './source.js';

/** A browser File or Blob; slicing reads only the bytes asked for, so multi-GiB files are fine. */
export class BlobSource implements ByteSource {
  readonly size: number;
  readonly name: string;
  constructor(private readonly blob: Blob, name?: string) {
    this.size = blob.size;
    this.name = name ?? (blob instanceof File ? blob.name : 'blob');
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length, 'read');
    return new Uint8Array(await this.blob.slice(offset, offset + length).arrayBuffer());
  }
  ref(): SourceRef {
    return { kind: 'blob', blob: this.blob, name: this.name };
  }
}
