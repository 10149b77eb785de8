import type { ClassMapProgress, ClassMapSummary } from '../worker/dump-worker.js';
import type { DumpClient } from './dump-client.js';
import { describeError, type ShownError } from './messages.js';

export type ClassMapPhase = 'idle' | 'loading' | 'ready' | 'stopped' | 'error';

/** At most this many cells: a 128-column grid of up to 32 rows, whatever the dump's size. */
export const CLASS_MAP_BUCKETS = 4096;

/** The page-class map of the open dump as the page sees it: computing (with progress), shown, stopped or failed. */
export class ClassMapState {
  phase = $state<ClassMapPhase>('idle');
  progress = $state.raw<ClassMapProgress | null>(null);
  summary = $state.raw<ClassMapSummary | null>(null);
  error = $state.raw<ShownError | null>(null);

  #client: DumpClient;
  #run: AbortController | undefined;

  constructor(client: DumpClient) {
    this.#client = client;
  }

  /** Classifies the dump open in the worker; a later load, stop or reset wins over this one. */
  async load(): Promise<void> {
    this.#run?.abort();
    const run = new AbortController();
    this.#run = run;
    this.phase = 'loading';
    this.progress = null;
    this.summary = null;
    this.error = null;
    try {
      const onProgress = (p: ClassMapProgress) => {
        if (run === this.#run) this.progress = p;
      };
      const summary = await this.#client.classOverview(CLASS_MAP_BUCKETS, onProgress, run.signal);
      if (run !== this.#run) return;
      this.summary = summary;
      this.phase = 'ready';
    } catch (e) {
      if (run !== this.#run) return;
      this.error = describeError(e);
      this.phase = 'error';
    }
  }

  /** Stops the classification; the worker notices at its next progress report. */
  stop(): void {
    if (this.phase !== 'loading') return;
    this.#run?.abort();
    this.#run = undefined;
    this.phase = 'stopped';
  }

  /** Forgets the map (another dump is being opened, or none is). */
  reset(): void {
    this.#run?.abort();
    this.#run = undefined;
    this.phase = 'idle';
    this.progress = null;
    this.summary = null;
    this.error = null;
  }
}
