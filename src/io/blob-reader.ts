import { VmsieveError } from '../errors.js';
import type { SourceRef } from './source-ref.js';
import { BLOB_MERGE_GAP, BLOB_PARALLEL_READS, truncatedRead, type WorkerReader } from './worker-reader.js';

/** Blob reads in a compute worker (asynchronous ones: large slices arrive faster that way than through FileReaderSync). */
export const blobReader: WorkerReader = {
  async readInto(ref, offset, dest) {
    const bytes = await readBlob(ref, offset, dest().length);
    dest().set(bytes);
  },
  read: readBlob,
  mergeGap: BLOB_MERGE_GAP,
  parallelReads: BLOB_PARALLEL_READS,
};

async function readBlob(ref: SourceRef, offset: number, length: number): Promise<Uint8Array> {
  if (ref.kind !== 'blob') throw new VmsieveError('E_UNSUPPORTED', `a browser compute worker cannot read a ${ref.kind} source`);
  const bytes = await ref.blob.slice(offset, offset + length).arrayBuffer();
  if (bytes.byteLength !== length) throw truncatedRead(ref, offset + bytes.byteLength);
  return new Uint8Array(bytes);
}
