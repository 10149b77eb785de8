import type { AnalyseSummary, ExportRequest, ExportSummary, Progress } from '../worker/dump-worker.js';
import type { AnalysePass } from './analyse-passes.js';
import type { DumpClient } from './dump-client.js';
import { forgetPrivateExports } from './private-exports.js';
import { describeError, type ShownError } from './messages.js';
import { pickSaveTarget, type SavedAs } from './save-target.js';

export type JobKind = 'estimate' | 'analyse' | 'measure' | 'export';
/** What the last job ended with, for the status line and tests. */
export type JobOutcome = 'none' | 'analysed' | 'exported' | 'cancelled' | 'failed';

/**
 * The export card's one job at a time: an analysis or an export, its progress, and what it ended with. The quick
 * analysis the card starts by itself (`automatic`) gives way to anything the user starts: it is cancelled, and the
 * user's job runs once the worker is free.
 */
export class ExportJob {
  running = $state<JobKind | 'idle'>('idle');
  /** The running job is the analysis the card started by itself, not one the user asked for. */
  automatic = $state(false);
  progress = $state.raw<Progress | null>(null);
  analysis = $state.raw<AnalyseSummary | null>(null);
  result = $state.raw<ExportSummary | null>(null);
  /** How the last export was saved. */
  savedAs = $state<SavedAs | null>(null);
  /** For an export to the page's private storage: where the browser can download it from. */
  downloadUrl = $state<string | null>(null);
  error = $state.raw<ShownError | null>(null);
  outcome = $state<JobOutcome>('none');
  cancelling = $state(false);
  readonly busy = $derived(this.running !== 'idle');
  /** A job the user started runs: the controls that start or change a job wait for it (an automatic one gives way). */
  readonly holding = $derived(this.busy && !this.automatic);

  readonly #client: () => DumpClient;
  readonly #onanalysis: (a: AnalyseSummary) => void;
  /** The job the card shows: an older one, replaced or let go, leaves the card alone. */
  #current = 0;
  /** Settles once the worker's last job has ended (its job slot is free). */
  #ended: Promise<unknown> = Promise.resolve();

  /** `onanalysis` hears each analysis as it arrives (the estimate first, then finer ones). */
  constructor(client: () => DumpClient, onanalysis: (a: AnalyseSummary) => void) {
    this.#client = client;
    this.#onanalysis = onanalysis;
  }

  #onProgress = (token: number) => (p: Progress) => {
    if (token === this.#current) this.progress = p;
  };

  #reset() {
    this.error = null;
    this.progress = null;
    this.cancelling = false;
  }

  #failed(e: unknown) {
    const shown = describeError(e);
    if (shown.code === 'E_CANCELLED') {
      this.outcome = 'cancelled';
      return;
    }
    this.error = shown;
    this.outcome = 'failed';
  }

  #finished() {
    this.running = 'idle';
    this.automatic = false;
    this.progress = null;
  }

  /**
   * Runs `work` as the card's job: an automatic analysis running is cancelled first, and `work` starts once the worker
   * has let it go. Nothing runs while a job the user started holds the card, nor an automatic job while any does.
   * `work` gets the job's token: once the card has moved on to another job, it leaves the card alone.
   */
  async #run(kind: JobKind, automatic: boolean, work: (token: number) => Promise<JobOutcome>): Promise<void> {
    if (this.holding || (automatic && this.busy)) return;
    const token = ++this.#current;
    if (this.busy) void this.#client().cancel().catch(() => false);
    const previous = this.#ended;
    this.#reset();
    this.outcome = 'none';
    this.running = kind;
    this.automatic = automatic;
    const job = previous.then(() => work(token));
    this.#ended = job.catch(() => undefined);
    try {
      const outcome = await job;
      if (token === this.#current) this.outcome = outcome;
    } catch (e) {
      if (token === this.#current) this.#failed(e);
    } finally {
      if (token === this.#current) this.#finished();
    }
  }

  /**
   * Runs the passes in turn, each one's table replacing the last (the first answer comes fast, the later ones are
   * finer). `automatic`: the card started it by itself, and it gives way to whatever the user starts.
   */
  async analyse(passes: AnalysePass[], workers: number, { automatic = false } = {}): Promise<void> {
    await this.#run(passes[0]!.phase, automatic, async (token) => {
      for (const pass of passes) {
        if (token !== this.#current || this.cancelling) return 'cancelled';
        this.running = pass.phase;
        this.progress = null;
        const analysis = await this.#client().analyse({ ...pass.request, workers }, this.#onProgress(token));
        if (token !== this.#current) return 'cancelled';
        this.analysis = analysis;
        this.#onanalysis(analysis);
      }
      return 'analysed';
    });
  }

  /**
   * Asks where to save (unless the browser has no save dialog: then the export streams to a download, or where it
   * cannot, goes to private storage first), then writes the export there.
   */
  async export(request: ExportRequest & { name: string }): Promise<void> {
    if (this.holding) return;
    let save;
    try {
      // A kdump file that erases findings rewrites its sub header last: it cannot be written front to back.
      save = await pickSaveTarget(request.name, !(request.format === 'kdump' && request.eraseFound));
    } catch (e) {
      if (this.busy) return void (this.error = describeError(e));
      this.#reset();
      this.#failed(e);
      return;
    }
    if (save === null) return; // the user closed the dialog
    const target = save;
    await this.#run('export', false, async (token) => {
      this.result = null;
      this.#forgetDownload();
      // The copy an earlier export left in private storage goes (an export there replaces it itself).
      if (target.savedAs !== 'private') void forgetPrivateExports();
      this.savedAs = target.savedAs;
      const exported = this.#client().export(request, target.target, this.#onProgress(token));
      // A cancel that came while the export waited for the worker follows it there, which aborts its output.
      if (this.cancelling) void this.#client().cancel().catch(() => false);
      const r = await exported;
      if (token !== this.#current) return 'exported';
      this.result = r;
      if (r.file) this.downloadUrl = URL.createObjectURL(r.file);
      return 'exported';
    });
    target.end();
  }

  /** Stops the running job (an automatic analysis included); a job waiting to start does not start. */
  async cancel(): Promise<void> {
    if (!this.busy || this.cancelling) return;
    this.cancelling = true;
    await this.#client().cancel().catch(() => false);
  }

  /**
   * Lets the worker go for a job the card does not run (the secret scan): an automatic analysis is cancelled, and
   * this resolves once the worker is free. False while the user's own job holds the card.
   */
  async makeWay(): Promise<boolean> {
    if (this.holding) return false;
    if (this.busy) {
      ++this.#current;
      void this.#client().cancel().catch(() => false);
      this.#finished();
    }
    await this.#ended;
    return !this.busy;
  }

  /** The card goes away: stops the job and lets the download go. */
  dispose(): void {
    ++this.#current;
    if (this.busy) void this.#client().cancel().catch(() => false);
    else void forgetPrivateExports();
    this.#forgetDownload();
  }

  #forgetDownload() {
    if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
    this.downloadUrl = null;
  }
}
