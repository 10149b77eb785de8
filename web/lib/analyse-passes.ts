import type { AnalyseRequest } from '../worker/dump-worker.js';

export interface AnalysePass {
  phase: 'estimate' | 'analyse' | 'measure';
  request: AnalyseRequest;
}

/** Files up to this size are read whole in seconds: their first answer is the full read's, with exact page counts. */
const ESTIMATE_FROM_BYTES = 2 ** 31;

/**
 * Every page read and a sample compressed, about as fast as reading the file; on a larger file a first estimate from
 * small windows comes before it.
 */
export const quickAnalysis = (fileBytes: number): AnalysePass[] => [
  ...(fileBytes > ESTIMATE_FROM_BYTES ? [{ phase: 'estimate', request: { sampleWindows: 4096 } } as const] : []),
  { phase: 'analyse', request: { measureBytes: 64 << 20 } },
];

/** The exact pass: every page through every codec (compute-bound, so slower than reading the file). */
export const EXACT_ANALYSIS: AnalysePass[] = [{ phase: 'measure', request: {} }];
