import { VmsieveError } from '../errors.js';
import { truncatedRead, type ReadAt } from './read-at.js';

/** A synchronous Blob read, as dedicated workers may do: the compute worker blocks only itself. */
export const blobReadAt: ReadAt = (ref, offset, dest) => {
  if (ref.kind !== 'blob') throw new VmsieveError('E_UNSUPPORTED', `a browser compute worker cannot read a ${ref.kind} source`);
  const bytes = new FileReaderSync().readAsArrayBuffer(ref.blob.slice(offset, offset + dest.length));
  if (bytes.byteLength !== dest.length) throw truncatedRead(ref, offset + bytes.byteLength);
  dest.set(new Uint8Array(bytes));
};
