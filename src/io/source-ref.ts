/**
 * How a compute worker reaches a dump's bytes by itself, so that page windows never pass through the thread that
 * plans the work: in Node a file descriptor (one per process, shared by every worker thread), in the browser the
 * File (structured-cloned as a handle to the same bytes on disk, not a copy).
 */
export type SourceRef = { kind: 'fd'; fd: number; name: string; size: number } | { kind: 'blob'; blob: Blob; name: string };

/**
 * Where `pages` whole pages come from, in order: `extents` holds (fileOffset, length) pairs; fileOffset -1 means
 * the bytes read as zero (the part of a segment past its p_filesz). Lengths sum to pages × pageSize.
 */
export interface PageExtents {
  ref: SourceRef;
  extents: Float64Array;
  pages: number;
}
