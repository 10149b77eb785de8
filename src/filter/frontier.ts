/**
 * How far (in pfns) a class map is final while classification is still running, so that the zero scan can follow
 * right behind it instead of waiting for the end.
 */
export class Frontier {
  private value = 0;
  private failure: unknown;
  private failed = false;
  private waiters: Array<{ pfn: number; resolve: () => void; reject: (e: unknown) => void }> = [];

  get reached(): number {
    return this.value;
  }

  /** Every pfn below `pfn` is classified for good. */
  advance(pfn: number): void {
    if (pfn <= this.value) return;
    this.value = pfn;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) (w.pfn <= pfn ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  /** Classification failed: whoever waits gets its error. */
  fail(e: unknown): void {
    this.failed = true;
    this.failure = e;
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  /** Resolves once every pfn below `pfn` is final. */
  reach(pfn: number): Promise<void> {
    if (this.failed) return Promise.reject(this.failure);
    if (pfn <= this.value) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ pfn, resolve, reject }));
  }
}
