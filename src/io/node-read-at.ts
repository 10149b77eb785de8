import { readSync } from 'node:fs';
import { VmsieveError } from '../errors.js';
import { truncatedRead, type ReadAt } from './read-at.js';

/** pread on the descriptor the main thread opened: worker threads share the process's descriptors. */
export const nodeReadAt: ReadAt = (ref, offset, dest) => {
  if (ref.kind !== 'fd') throw new VmsieveError('E_UNSUPPORTED', `a Node compute worker cannot read a ${ref.kind} source`);
  for (let done = 0; done < dest.length; ) {
    const n = readSync(ref.fd, dest, done, dest.length - done, offset + done);
    if (n === 0) throw truncatedRead(ref, offset + done);
    done += n;
  }
};
