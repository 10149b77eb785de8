import { Buffer } from 'node:buffer';
import { readSync } from 'node:fs';
import { VmsieveError } from '../errors.js';
import type { SourceRef } from './source-ref.js';
import { PREAD_MERGE_GAP, PREAD_STEP_BYTES, truncatedRead, type WorkerReader } from './worker-reader.js';

/** Where this thread's reads across gaps land: one buffer, grown as needed, since each is picked apart before the next. */
let across = new Uint8Array(0);

/** pread on the descriptor the main thread opened: worker threads share the process's descriptors. */
export const nodeReader: WorkerReader = {
  readInto(ref, offset, destination) {
    preadFully(fdOf(ref), ref.name, destination(), offset); // synchronous: the view stays valid
  },
  read(ref, offset, length) {
    if (across.length < length) across = new Uint8Array(length);
    const out = across.subarray(0, length);
    preadFully(fdOf(ref), ref.name, out, offset);
    return out;
  },
  mergeGap: PREAD_MERGE_GAP,
  parallelReads: 1,
  stepBytes: PREAD_STEP_BYTES,
};

function fdOf(ref: SourceRef): number {
  if (ref.kind !== 'fd') throw new VmsieveError('E_UNSUPPORTED', `a Node compute worker cannot read a ${ref.kind} source`);
  return ref.fd;
}

/** pread until `out` is full, from `offset` on; a file that ends first is truncated. */
export function preadFully(fd: number, name: string, out: Uint8Array, offset: number): void {
  for (let done = 0; done < out.length; ) {
    const n = readSync(fd, out, done, out.length - done, offset + done);
    if (n === 0) throw truncatedRead({ name }, offset + done);
    done += n;
  }
}

/** `length` bytes from `offset` on in a new array, not zero-filled first: the read overwrites every byte. */
export function preadBytes(fd: number, name: string, offset: number, length: number): Uint8Array {
  // A plain Uint8Array over the allocation, not a Buffer, whose slice() would not copy.
  const out = new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
  preadFully(fd, name, out, offset);
  return out;
}
