import { VmsieveError } from '../errors.js';
import { closeStarted, type ComputePool } from '../workers/pool.js';

/** After a cancel, how long a job gets to stop between windows before its workers are terminated anyway. */
const HARD_STOP_MS = 400;

/** What a running job is handed: its signal, and its compute pool when it asked for one (starting, not awaited). */
export interface JobContext {
  signal: AbortSignal;
  pool: Promise<ComputePool> | undefined;
}

export interface JobOptions {
  /** A caller's own cancel (the CLI's SIGINT, a library user's AbortController): it cancels the job. */
  signal?: AbortSignal;
  /** Starts the job's compute workers; they boot while the job begins and are closed when it ends. */
  startPool?: () => Promise<ComputePool>;
}

export const cancelledError = (): VmsieveError => new VmsieveError('E_CANCELLED', 'Cancelled: the job was stopped and its workers were shut down.');

/**
 * One analysis, export or split at a time on a dump, each with its own compute pool. A cancel aborts the job's
 * signal at once (the pipeline stops between windows); a job that has not stopped within HARD_STOP_MS has its
 * workers terminated and is rejected anyway. The pool is always closed before run() settles: no worker outlives its job.
 */
export class JobSlot {
  private current: { controller: AbortController; stopped: Promise<void> } | undefined;

  get busy(): boolean {
    return this.current !== undefined;
  }

  async run<T>(opts: JobOptions, body: (job: JobContext) => Promise<T>): Promise<T> {
    if (this.current) throw new VmsieveError('E_USAGE', 'Another analysis or export is still running: cancel it first.');
    const controller = new AbortController();
    let finished!: () => void;
    const current = { controller, stopped: new Promise<void>((r) => (finished = r)) };
    this.current = current;
    const { signal } = controller;
    const follow = () => controller.abort(cancelledError());
    if (opts.signal?.aborted) follow();
    else opts.signal?.addEventListener('abort', follow, { once: true });
    const pool = opts.startPool?.();
    pool?.catch(() => undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const hardStop = new Promise<never>((_, reject) => {
        const stop = () =>
          (timer = setTimeout(() => {
            void closeStarted(pool);
            reject(cancelledError());
          }, HARD_STOP_MS));
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
      });
      hardStop.catch(() => undefined);
      const work = signal.aborted ? Promise.reject(cancelledError()) : body({ signal, pool });
      work.catch(() => undefined);
      try {
        return await Promise.race([work, hardStop]);
      } catch (e) {
        if (!signal.aborted) throw e;
        throw cancelledError();
      }
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', follow);
      await closeStarted(pool);
      if (this.current === current) this.current = undefined;
      finished();
    }
  }

  /** Stops the running job, if any; resolves (true) once its workers are gone. */
  async cancel(): Promise<boolean> {
    const current = this.current;
    if (!current) return false;
    current.controller.abort(cancelledError());
    await current.stopped;
    return true;
  }
}
