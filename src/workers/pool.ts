import type { ComputeApi, ComputeHandle } from './compute-api.js';

/** A fixed set of compute workers; tasks wait for an idle one. One shape for Web Workers, worker_threads and in-thread compute. */
export class ComputePool {
  private readonly idle: ComputeHandle[];
  private readonly waiting: Array<(h: ComputeHandle) => void> = [];
  private closed = false;

  private constructor(private readonly handles: ComputeHandle[]) {
    this.idle = [...handles];
  }

  /** Initialises every worker with the compiled module (compiled once by the caller, cloned to each worker). */
  static async create(handles: ComputeHandle[], module: WebAssembly.Module, pageSize: number): Promise<ComputePool> {
    try {
      await Promise.all(handles.map((h) => h.api.init(module, pageSize)));
    } catch (e) {
      await Promise.all(handles.map((h) => h.terminate()));
      throw e;
    }
    return new ComputePool(handles);
  }

  get size(): number {
    return this.handles.length;
  }

  async run<T>(task: (api: ComputeApi) => Promise<T>): Promise<T> {
    const handle = await this.acquire();
    try {
      return await task(handle.api);
    } finally {
      this.release(handle);
    }
  }

  /** Stops every worker at once, abandoning work in progress (the hard stop behind cancel). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.handles.map((h) => h.terminate()));
  }

  private acquire(): Promise<ComputeHandle> {
    if (this.closed) return Promise.reject(new Error('compute pool is closed'));
    const h = this.idle.pop();
    if (h) return Promise.resolve(h);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(h: ComputeHandle): void {
    const next = this.waiting.shift();
    if (next) next(h);
    else this.idle.push(h);
  }
}
