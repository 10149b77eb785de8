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

/**
 * `pages` whole pages a dump stores encoded (a kdump-compressed file's), for a compute worker to read and decode
 * itself: `extents` as in PageExtents, but their bytes back to back hold the pages' stored forms; page i is pfn
 * `descs[4i]`, `descs[4i + 1]` stored bytes with kdump flags `descs[4i + 2]`, from byte `descs[4i + 3]` of them
 * (pages stored once and referred to again, as the shared zero page, are read once).
 */
export interface StoredPages extends PageExtents {
  descs: Float64Array;
}
