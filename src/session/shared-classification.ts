import type { ClassifyResult } from '../filter/classify-dump.js';
import type { ComputePool } from '../workers/pool.js';

export type ClassifyProgress = (phase: 'classify' | 'zero', done: number, total: number) => void;

/** What makes the classification: the pool of the job that first asked (if any) reads struct pages beside this thread. */
export type Classifier = (pool: Promise<ComputePool> | undefined, onProgress: ClassifyProgress) => Promise<ClassifyResult>;

/**
 * A dump's classification without zero bits, made once and shared by every view and job on it (each job takes a copy:
 * it adds zero bits). Whoever asks while it is being made hears its progress; a failed one is made again next time.
 */
export class SharedClassification {
  private result: Promise<ClassifyResult> | undefined;
  private readonly listeners = new Set<ClassifyProgress>();

  constructor(private readonly classify: Classifier) {}

  get(pool?: Promise<ComputePool>, onProgress?: ClassifyProgress): Promise<ClassifyResult> {
    if (!this.result) {
      const result = this.classify(pool, (...a) => this.listeners.forEach((l) => l(...a)));
      result.catch(() => {
        if (this.result === result) this.result = undefined;
      });
      this.result = result;
    }
    const result = this.result;
    if (onProgress) {
      this.listeners.add(onProgress);
      void result.finally(() => this.listeners.delete(onProgress)).catch(() => undefined);
    }
    return result;
  }
}
