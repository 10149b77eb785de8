import type { ByteSource } from './source.js';
import type { WorkerReader } from './worker-reader.js';

/**
 * Reads page extents through a source this thread holds, so compute on the calling thread loads a task's pages as a
 * worker would: in few large reads, straight into wasm memory where the source can (a file), across gaps otherwise.
 */
export function sourceReader(source: ByteSource): WorkerReader {
  const direct = source.readInto?.bind(source);
  return {
    async readInto(_ref, offset, dest) {
      if (direct) return direct(offset, dest);
      const bytes = await source.read(offset, dest().length);
      dest().set(bytes);
    },
    // A pread costs about as much as copying a few pages; a Blob read, as much as reading half a MiB.
    mergeGap: direct ? 16 << 10 : 1 << 20,
  };
}
