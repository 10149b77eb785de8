/// <reference lib="webworker" />
/**
 * What a dump level keeps, for the level map and the comparison, inside the dump worker: each level's base summary is
 * made once from the best classification there is (the last full analysis's, with every zero page; else the class
 * map's, with the zero pages level 31 keeps), and every view (a zoom, a pan) is cut from it here, so the page only
 * draws at most a few thousand cells.
 */
import { type ClassifyResult, type Dump, isKdumpDump, levelBase, type LevelBase, type LevelSource, levelView, type LevelView, VmsieveError } from '../../src/browser.js';
import { mappedClassification } from './class-map-job.js';
import { analysedClassification } from './jobs.js';

export type { LevelView };

export interface LevelViewRequest {
  level: number;
  /** Pfns [start, end) to show. */
  start: number;
  end: number;
  buckets: number;
}

let cache: { classified: ClassifyResult; source: LevelSource; bases: Map<number, LevelBase> } | undefined;

function sourceFor(dump: Dump): { source: LevelSource; bases: Map<number, LevelBase> } {
  const classified = analysedClassification(dump) ?? mappedClassification(dump);
  if (!classified) throw new VmsieveError('E_USAGE', 'The pages are not classified yet: the level map follows the page-class map.');
  if (cache?.classified !== classified) {
    const source: LevelSource = { ...classified, present: isKdumpDump(dump) ? dump.bitmap2 : undefined };
    cache = { classified, source, bases: new Map() };
  }
  return cache;
}

/** The view `req` asks for of the open dump at its level. */
export function levelViewOf(dump: Dump, req: LevelViewRequest): LevelView {
  const { source, bases } = sourceFor(dump);
  let base = bases.get(req.level);
  if (!base) bases.set(req.level, (base = levelBase(source, req.level)));
  return levelView(source, base, req.start, req.end, req.buckets);
}

/** Forgets the summaries (another dump is open). */
export function dropLevelViews(): void {
  cache = undefined;
}
