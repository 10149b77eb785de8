import { VmsieveError } from '../errors.js';
import { BLOB_MERGE_GAP, truncatedRead, type WorkerReader } from './worker-reader.js';

/** Blob reads in a compute worker (asynchronous ones: large slices arrive faster that way than through FileReaderSync). */
export const blobReader: WorkerReader = {
  async readInto(ref, offset, dest) {
    if (ref.kind !== 'blob') throw new VmsieveError('E_UNSUPPORTED', `a browser compute worker cannot read a ${ref.kind} source`);
    const length = dest().length;
    const bytes = await ref.blob.slice(offset, offset + length).arrayBuffer();
    if (bytes.byteLength !== length) throw truncatedRead(ref, offset + bytes.byteLength);
    dest().set(new Uint8Array(bytes));
  },
  mergeGap: BLOB_MERGE_GAP,
};
