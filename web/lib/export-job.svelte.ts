import type { AnalyseSummary, ExportRequest, ExportSummary, Progress } from '../worker/dump-worker.js';
import type { AnalysePass } from './analyse-passes.js';
import type { DumpClient } from './dump-client.js';
import { describeError, type ShownError } from './messages.js';
import { pickSaveTarget } from './save-target.js';

export type JobKind = 'estimate' | 'analyse' | 'measure' | 'export';
/** What the last job ended with, for the status line and tests. */
export type JobOutcome = 'none' | 'analysed' | 'exported' | 'cancelled' | 'failed';

/** The export card's one job at a time: an analysis or an export, its progress, and what it ended with. */
export class ExportJob {
  running = $state<JobKind | 'idle'>('idle');
  progress = $state.raw<Progress | null>(null);
  analysis = $state.raw<AnalyseSummary | null>(null);
  result = $state.raw<ExportSummary | null>(null);
  /** For an export to the page's private storage: where the browser can download it from. */
  downloadUrl = $state<string | null>(null);
  error = $state.raw<ShownError | null>(null);
  outcome = $state<JobOutcome>('none');
  cancelling = $state(false);
  readonly busy = $derived(this.running !== 'idle');

  readonly #client: () => DumpClient;
  readonly #onanalysis: (a: AnalyseSummary) => void;

  /** `onanalysis` hears each analysis as it arrives (the estimate first, then finer ones). */
  constructor(client: () => DumpClient, onanalysis: (a: AnalyseSummary) => void) {
    this.#client = client;
    this.#onanalysis = onanalysis;
  }

  #onProgress = (p: Progress) => {
    this.progress = p;
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
    this.progress = null;
  }

  /** Runs the passes in turn, each one's table replacing the last (the first answer comes fast, the later ones are finer). */
  async analyse(passes: AnalysePass[], workers: number): Promise<void> {
    if (this.busy) return;
    this.#reset();
    this.outcome = 'none';
    try {
      for (const pass of passes) {
        this.running = pass.phase;
        this.progress = null;
        this.analysis = await this.#client().analyse({ ...pass.request, workers }, this.#onProgress);
        this.#onanalysis(this.analysis);
      }
      this.outcome = 'analysed';
    } catch (e) {
      this.#failed(e);
    } finally {
      this.#finished();
    }
  }

  /** Asks where to save (unless the browser has no save dialog), then writes the export there. */
  async export(request: ExportRequest & { name: string }): Promise<void> {
    if (this.busy) return;
    let target;
    try {
      target = await pickSaveTarget(request.name);
    } catch (e) {
      this.#reset();
      this.#failed(e);
      return;
    }
    if (target === null) return; // the user closed the dialog
    this.#reset();
    this.outcome = 'none';
    this.result = null;
    this.#forgetDownload();
    this.running = 'export';
    try {
      const r = await this.#client().export(request, target, this.#onProgress);
      this.result = r;
      if (r.file) this.downloadUrl = URL.createObjectURL(r.file);
      this.outcome = 'exported';
    } catch (e) {
      this.#failed(e);
    } finally {
      this.#finished();
    }
  }

  async cancel(): Promise<void> {
    if (!this.busy || this.cancelling) return;
    this.cancelling = true;
    await this.#client().cancel().catch(() => false);
  }

  /** The card goes away: stops the job and lets the download go. */
  dispose(): void {
    if (this.busy) void this.#client().cancel().catch(() => false);
    this.#forgetDownload();
  }

  #forgetDownload() {
    if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
    this.downloadUrl = null;
  }
}
