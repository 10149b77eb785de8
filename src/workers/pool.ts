import { VmsieveError } from '../errors.js';
import type { ComputeApi, ComputeHandle } from './compute-api.js';
import { WINDOW_BYTES, pagesIn } from './page-compute.js';

/** A fixed set of compute workers; tasks wait for an idle one. One shape for Web Workers, worker_threads and in-thread compute. */
export class ComputePool {
  private readonly idle: ComputeHandle[];
  private readonly waiting: Array<{ resolve: (h: ComputeHandle) => void; reject: (e: Error) => void }> = [];
  private closed = false;
  /**
   * Rejects the tasks in progress when the pool is closed, so work on a terminated worker (whose reply never
   * comes) settles too. One entry per running task, removed when it ends: racing every task against one shared
   * "closed" promise would keep every result alive through that promise's reactions.
   */
  private readonly running = new Set<(e: Error) => void>();

  private constructor(
    private readonly handles: ComputeHandle[],
    readonly pageSize: number,
  ) {
    // A worker with several slots appears that many times: each entry is one task it may take.
    this.idle = handles.flatMap((h) => Array.from({ length: Math.max(1, h.slots ?? 1) }, () => h));
  }

  /**
   * Initialises every worker with the compiled module (compiled once by the caller, cloned to each worker). With
   * `startWithinMs`, workers that have not all answered by then fail with E_WORKER (a worker whose script never
   * arrives raises no error).
   */
  static async create(handles: ComputeHandle[], module: WebAssembly.Module, pageSize: number, startWithinMs?: number): Promise<ComputePool> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const started = Promise.all(handles.map((h) => h.api.init(module, pageSize)));
      const late = new Promise<never>((_, reject) => {
        if (startWithinMs !== undefined) timer = setTimeout(() => reject(new VmsieveError('E_WORKER', `the compute workers did not start within ${startWithinMs / 1000} s`)), startWithinMs);
      });
      await Promise.race([started, late]);
    } catch (e) {
      await Promise.all(handles.map((h) => h.terminate()));
      throw e;
    } finally {
      clearTimeout(timer);
    }
    return new ComputePool(handles, pageSize);
  }

  get size(): number {
    return this.handles.length;
  }

  /** The most pages a task may carry on any of the workers. */
  get windowPages(): number {
    return Math.min(...this.handles.map((h) => pagesIn(h.windowBytes ?? WINDOW_BYTES, this.pageSize)));
  }

  async run<T>(task: (api: ComputeApi) => Promise<T>): Promise<T> {
    const handle = await this.acquire();
    if (this.closed) throw stoppedError();
    let stop!: (e: Error) => void;
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    this.running.add(stop);
    try {
      return await Promise.race([task(handle.api), stopped]);
    } finally {
      this.running.delete(stop);
      this.release(handle);
    }
  }

  /** Stops every worker at once, abandoning work in progress (the hard stop behind cancel). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopped = stoppedError();
    for (const stop of this.running) stop(stopped);
    for (const w of this.waiting.splice(0)) w.reject(stopped);
    await Promise.all(this.handles.map((h) => h.terminate()));
  }

  private acquire(): Promise<ComputeHandle> {
    if (this.closed) return Promise.reject(stoppedError());
    const h = this.idle.pop();
    if (h) return Promise.resolve(h);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(h: ComputeHandle): void {
    const next = this.waiting.shift();
    if (next) next.resolve(h);
    else this.idle.push(h);
  }
}

/** Closes a pool that was started without being awaited, once it has started; one that failed to start needs nothing. */
export async function closeStarted(pool: Promise<ComputePool> | undefined): Promise<void> {
  await (await pool?.catch(() => undefined))?.close();
}

const stoppedError = () => new VmsieveError('E_CANCELLED', 'the compute workers were stopped');
