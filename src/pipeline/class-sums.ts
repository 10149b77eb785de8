import { CODECS, type CodecId } from '../codecs/registry.js';
import { CODE_MASK, ZERO_BIT } from '../filter/dump-level.js';
import type { PfnRange } from '../model/dump.js';
import type { ClassifyResult } from '../filter/classify-dump.js';

/**
 * Sampling compresses every sampled page with the cheap codecs and one in COSTLY_SHARE of them with the costly ones
 * too; a costly codec's size is then estimated from the cheap LZO size of the same class (a ratio estimate: per page
 * the codecs' sizes go together, so the ratio needs far fewer pages than the size itself).
 */
export const MEASURE_ORDER: readonly CodecId[] = ['lzo', 'snappy', 'zlib', 'zstd'];
export const CHEAP = 2;
export const COSTLY_SHARE = 4;
/**
 * Per class byte: pages seen, pages measured with the cheap codecs, pages measured with all, LZO bytes of the pages
 * measured with all, then stored bytes under each codec (in CODECS order) of the pages it measured.
 */
export const PAGES = 0;
export const MEASURED = 1;
export const MEASURED_ALL = 2;
export const LZO_OF_ALL = 3;
export const SIZE = 4;
export const SLOTS = SIZE + CODECS.length;
const LZO = SIZE + CODECS.indexOf('lzo');
/** Each codec's place (in CODECS order) in MEASURE_ORDER: a page measured with n codecs has sizes for ranks below n. */
export const MEASURE_RANK = CODECS.map((c) => MEASURE_ORDER.indexOf(c));
const isCheap = (c: CodecId) => MEASURE_ORDER.indexOf(c) < CHEAP;
/** Per-class sums of an analyse pass: SLOTS numbers for each class byte (class code, plus ZERO_BIT for a zero page). */
export type ClassSums = Float64Array;

export const newClassSums = (): ClassSums => new Float64Array(256 * SLOTS);

/**
 * Windows sampled: scales each class's pages seen (zero and not) up to its exact count from the class map; a class
 * never seen gets the proportions of all pages seen.
 */
export function scaleWindows(sums: ClassSums, classified: Pick<ClassifyResult, 'classMap'>, readable: readonly PfnRange[]): void {
  const exact = new Float64Array(128);
  for (const r of readable) for (let pfn = r.start; pfn < r.end; pfn++) exact[classified.classMap[pfn]! & CODE_MASK]++;
  const all = new Float64Array(SLOTS);
  for (let b = 0; b < 256; b++) for (let j = 0; j < SLOTS; j++) all[j] += sums[b * SLOTS + j]!;
  for (let c = 0; c < 128; c++) {
    if (exact[c] === 0) continue;
    const seen = sums[c * SLOTS]! + sums[(c | ZERO_BIT) * SLOTS]!;
    if (seen === 0) {
      const scale = exact[c]! / Math.max(1, all[0]!);
      for (let j = 0; j < SLOTS; j++) sums[c * SLOTS + j] = all[j]! * scale;
      sums[c * SLOTS + MEASURED] = sums[c * SLOTS + MEASURED_ALL] = sums[c * SLOTS]!; // already averages over every page seen
      continue;
    }
    const scale = exact[c]! / seen;
    for (const b of [c, c | ZERO_BIT]) for (let j = 0; j < SLOTS; j++) sums[b * SLOTS + j]! *= scale;
  }
}

/**
 * Pages measured: each class byte's cheap-codec sizes are scaled from the pages measured to all its non-zero pages;
 * its costly-codec sizes follow from its scaled LZO size and the costly:LZO ratio on the pages measured with both.
 * A class with no page measured takes the averages over all classes.
 */
export function scaleMeasured(sums: ClassSums): void {
  const all = new Float64Array(SLOTS);
  for (let b = 0; b < 128; b++) for (let j = 1; j < SLOTS; j++) all[j] += sums[b * SLOTS + j]!;
  const perPage = (j: number) => all[j]! / Math.max(1, all[MEASURED]!);
  // No page measured with every codec at all (a dump of almost only zero pages): take the costly sizes as LZO's.
  const overallRatio = (j: number) => (all[LZO_OF_ALL]! > 0 ? all[j]! / all[LZO_OF_ALL]! : 1);
  for (let b = 0; b < 128; b++) {
    const at = b * SLOTS;
    const pages = sums[at + PAGES]!;
    if (pages === 0 || (sums[at + MEASURED]! === pages && sums[at + MEASURED_ALL]! === pages)) continue;
    const measured = sums[at + MEASURED]!;
    const lzo = measured > 0 ? (sums[at + LZO]! * pages) / measured : perPage(LZO) * pages;
    const lzoOfAll = sums[at + LZO_OF_ALL]!;
    CODECS.forEach((c, k) => {
      const j = SIZE + k;
      if (isCheap(c)) sums[at + j] = measured > 0 ? (sums[at + j]! * pages) / measured : perPage(j) * pages;
      else sums[at + j] = lzo * (lzoOfAll > 0 ? sums[at + j]! / lzoOfAll : overallRatio(j));
    });
    sums[at + MEASURED] = pages;
    sums[at + MEASURED_ALL] = pages;
  }
}
