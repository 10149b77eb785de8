import type { AnalyseSummary } from '../worker/dump-worker.js';
import type { JobKind } from './export-job.svelte.js';
import { int } from './format.js';

/** How the export card words a job's progress and results. */

/** Decimal megabytes, as makedumpfile counts and as transfer rates are given: "12.3 MB", "512 MB". */
export const mb = (n: number): string => `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)} MB`;

/** Seconds with one decimal, from milliseconds. */
export const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** Whole decimal megabytes per second. */
export const mbPerSecond = (bytes: number, ms: number): string => (bytes / 1e6 / Math.max(0.001, ms / 1000)).toFixed(0);

export const percentDone = (p: { doneBytes: number; totalBytes: number }): number => Math.floor((100 * p.doneBytes) / p.totalBytes);

export function eta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return 'estimating time left';
  if (s < 1) return 'under a second left';
  if (s < 90) return `${Math.ceil(s)} s left`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s left`;
}

/** What the running job is doing; the classification (once per dump) comes first whatever the job. */
export function phaseText(progressPhase: string | undefined, running: JobKind | 'idle', writing: string): string {
  if (progressPhase === 'classify') return 'Classifying pages (once per dump)';
  switch (running) {
    case 'estimate':
      return 'Estimating from small windows spread over the dump';
    case 'analyse':
      return 'Reading every page (compressing a sample)';
    case 'measure':
      return 'Compressing every page with every codec';
    case 'export':
      return `Writing ${writing}`;
    default:
      return '';
  }
}

/** Said where a job ran on one thread because its compute workers could not start. */
export const workersFailedText = (why: string): string =>
  `The compute workers could not start in this browser (${why}), so this ran on one thread, more slowly.`;

/**
 * The sample an analysis's figures marked ≈ come from, e.g. "1 page in 16 compressed"; null when none is marked (every
 * figure exact). With `pagesEstimated` page counts are ≈ too.
 */
export function sampleOf(a: Pick<AnalyseSummary, 'pagesEstimated' | 'sampledEvery' | 'measuredEvery' | 'estimatedKinds'>): string | null {
  if (a.pagesEstimated) return `1 window of pages in ${int(a.sampledEvery)} read${a.measuredEvery > 1 ? `, 1 page in ${int(a.measuredEvery)} of those compressed` : ''}`;
  return a.estimatedKinds.length ? `1 page in ${int(a.measuredEvery)} compressed` : null;
}
