import type { AnchorHit } from '../wasm/anchor-scan.js';
import type { AnchorTable } from './anchor-table.js';
import { maskSpan, SECRET_PATTERNS } from './patterns.js';

/** A match in a compute task's pages: where (bytes from the task's first page), how long, which pattern, masked. */
export interface RawFinding {
  offset: number;
  length: number;
  pattern: number;
  masked: string;
  /** FNV-1a of its bytes: tells copies of one match apart from others without keeping its text. */
  digest: number;
}

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

/**
 * Adds to `found` the matches of the anchor `hits` (in key order) in one run of contiguous bytes, `base` bytes into
 * the task: each hit checked by its patterns on the whole run; a match overlapping an earlier one is left out, so
 * every byte belongs to at most one finding.
 */
export function findInRun(table: AnchorTable, bytes: Uint8Array, base: number, hits: readonly AnchorHit[], found: RawFinding[]): void {
  let coveredTo = 0;
  for (const hit of hits)
    // A match starts at most a little before its anchor (the 'p' of "password"; e-mail and host names look back).
    for (const p of table.patternsOf[hit.rule]!) {
      const span = SECRET_PATTERNS[p]!.match(bytes, hit.offset);
      if (!span || span.start < coveredTo || span.end <= span.start) continue;
      found.push({ offset: base + span.start, length: span.end - span.start, pattern: p, masked: maskSpan(bytes, span), digest: fnv1a(bytes.subarray(span.start, span.end)) });
      coveredTo = span.end;
    }
}
