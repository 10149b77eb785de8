import { readSync } from 'node:fs';
import { VmsieveError } from '../errors.js';
import { truncatedRead, type WorkerReader } from './worker-reader.js';

/** pread on the descriptor the main thread opened: worker threads share the process's descriptors. */
export const nodeReader: WorkerReader = {
  readInto(ref, offset, destination) {
    if (ref.kind !== 'fd') throw new VmsieveError('E_UNSUPPORTED', `a Node compute worker cannot read a ${ref.kind} source`);
    const dest = destination(); // synchronous from here on: the view stays valid
    for (let done = 0; done < dest.length; ) {
      const n = readSync(ref.fd, dest, done, dest.length - done, offset + done);
      if (n === 0) throw truncatedRead(ref, offset + done);
      done += n;
    }
  },
  // A pread costs about as much as copying a few pages.
  mergeGap: 16 << 10,
};
