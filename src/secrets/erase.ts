import type { ByteSource } from '../io/source.js';
import type { LoadSegment } from '../model/dump.js';

/** Physical bytes to erase: [paddr, paddr + length). */
export interface EraseRange {
  paddr: number;
  length: number;
}

/** The file ranges [start, end) of an ELF vmcore that hold `ranges`, through every PT_LOAD that maps them (the kernel image is mapped twice). */
function fileRanges(loads: readonly LoadSegment[], ranges: readonly EraseRange[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const { paddr, length } of ranges)
    for (const l of loads) {
      const a = Math.max(paddr, l.physStart);
      const b = Math.min(paddr + length, l.physStart + l.fileSize);
      if (a < b) out.push([l.fileOffset + a - l.physStart, l.fileOffset + b - l.physStart]);
    }
  return out.sort((x, y) => x[0] - y[0]);
}

/**
 * An ELF vmcore's bytes with `ranges` of physical memory read as zero. It offers compute workers no way in (they
 * would read the file itself), so every page passes through here.
 */
export function erasingSource(source: ByteSource, loads: readonly LoadSegment[], ranges: readonly EraseRange[]): ByteSource {
  const zeroed = fileRanges(loads, ranges);
  return {
    name: source.name,
    size: source.size,
    async read(offset, length) {
      const end = offset + length;
      const hit = zeroed.filter(([a, b]) => a < end && b > offset);
      const bytes = await source.read(offset, length);
      if (hit.length === 0) return bytes;
      const copy = bytes.slice();
      for (const [a, b] of hit) copy.fill(0, Math.max(a, offset) - offset, Math.min(b, end) - offset);
      return copy;
    },
  };
}

/**
 * makedumpfile's eraseinfo text for erased findings: one `erase EXPR size N` line each, EXPR naming what was erased
 * and where (`kind@0xPADDR`), as makedumpfile names the symbol expression it erased.
 */
export function eraseinfoText(found: ReadonlyArray<EraseRange & { kind: string }>): Uint8Array {
  return new TextEncoder().encode(found.map((f) => `erase ${f.kind}@0x${f.paddr.toString(16)} size ${f.length}\n`).join(''));
}
