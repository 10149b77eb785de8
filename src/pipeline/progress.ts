export interface Progress {
  phase: string;
  doneBytes: number;
  totalBytes: number;
  /** Bytes per second, smoothed. */
  rate: number;
  /** Seconds left at the current rate; null until there is a rate. */
  etaSeconds: number | null;
}

export type ProgressCallback = (p: Progress) => void;

/** Smooths the rate over recent updates and throttles reports to a few per second. */
export class ProgressTracker {
  private done = 0;
  private rate = 0;
  private lastTime: number;
  private lastDone = 0;
  private lastReport = -Infinity;

  constructor(
    private readonly phase: string,
    private readonly totalBytes: number,
    private readonly report: ProgressCallback | undefined,
    private readonly now: () => number = () => performance.now(),
    private readonly intervalMs = 200,
  ) {
    this.lastTime = now();
  }

  advance(bytes: number): void {
    this.done += bytes;
    const t = this.now();
    const dt = (t - this.lastTime) / 1000;
    if (dt >= 0.05) {
      const instant = (this.done - this.lastDone) / dt;
      this.rate = this.rate === 0 ? instant : 0.7 * this.rate + 0.3 * instant;
      this.lastTime = t;
      this.lastDone = this.done;
    }
    if (t - this.lastReport >= this.intervalMs || this.done >= this.totalBytes) {
      this.lastReport = t;
      this.report?.(this.snapshot());
    }
  }

  snapshot(): Progress {
    const left = Math.max(0, this.totalBytes - this.done);
    return {
      phase: this.phase,
      doneBytes: this.done,
      totalBytes: this.totalBytes,
      rate: this.rate,
      etaSeconds: this.rate > 0 ? left / this.rate : null,
    };
  }
}
