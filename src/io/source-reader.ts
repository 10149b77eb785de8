import type { ByteSource } from './source.js';
import { BLOB_MERGE_GAP, BLOB_PARALLEL_READS, PREAD_MERGE_GAP, PREAD_STEP_BYTES, type WorkerReader } from './worker-reader.js';

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
    read: (_ref, offset, length) => source.read(offset, length),
    // Sources without readInto are Blobs (or held in memory, where gaps cost nothing to read across).
    mergeGap: direct ? PREAD_MERGE_GAP : BLOB_MERGE_GAP,
    parallelReads: direct ? 1 : BLOB_PARALLEL_READS,
    stepBytes: direct ? PREAD_STEP_BYTES : undefined,
  };
}
