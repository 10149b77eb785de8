import { readSync } from 'node:fs';
import { VmsieveError } from '../errors.js';
import { PREAD_MERGE_GAP, truncatedRead, type WorkerReader } from './worker-reader.js';

/** pread on the descriptor the main thread opened: worker threads share the process's descriptors. */
export const nodeReader: WorkerReader = {
  readInto(ref, offset, destination) {
    if (ref.kind !== 'fd') throw new VmsieveError('E_UNSUPPORTED', `a Node compute worker cannot read a ${ref.kind} source`);
    preadFully(ref.fd, ref.name, destination(), offset); // synchronous: the view stays valid
  },
  mergeGap: PREAD_MERGE_GAP,
};

/** pread until `out` is full, from `offset` on; a file that ends first is truncated. */
export function preadFully(fd: number, name: string, out: Uint8Array, offset: number): void {
  for (let done = 0; done < out.length; ) {
    const n = readSync(fd, out, done, out.length - done, offset + done);
    if (n === 0) throw truncatedRead({ name }, offset + done);
    done += n;
  }
}
