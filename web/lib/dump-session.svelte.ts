import type { DumpInfo } from '../../src/browser.js';
import type { DumpLog } from '../worker/dump-worker.js';
import { ClassMapState } from './class-map-state.svelte.js';
import { DumpClient } from './dump-client.js';
import { describeError, type ShownError } from './messages.js';

export type Phase = 'empty' | 'loading' | 'ready' | 'error';
export type LogPhase = 'idle' | 'loading' | 'ready' | 'error';

/** Where the bundled sample lives (web/public/sample.vmcore, copied to dist/ by the build). */
export const SAMPLE_URL = './sample.vmcore';
const SAMPLE_NAME = 'sample.vmcore';

/** The page's one piece of state: which dump is shown, or why none is. */
export class DumpSession {
  phase = $state<Phase>('empty');
  /** The file being read or shown. */
  fileName = $state<string | null>(null);
  fileSize = $state<number | null>(null);
  info = $state.raw<DumpInfo | null>(null);
  error = $state.raw<ShownError | null>(null);
  isSample = $state(false);
  /** The kernel log and crash context, read after the summary is shown. */
  logPhase = $state<LogPhase>('idle');
  log = $state.raw<DumpLog | null>(null);
  logError = $state.raw<ShownError | null>(null);

  #client = new DumpClient();
  /** Every page's class, computed after the log is read. */
  readonly classMap = new ClassMapState(this.#client);

  /** The worker behind this session, for the steps that work on the open dump (analyse, export). */
  get client(): DumpClient {
    return this.#client;
  }
  #seq = 0;
  #sample: File | undefined;

  /** Reads a dump's structure (several files: a split set) in the worker. A later call wins over an earlier one still running. */
  async open(files: File[], { sample = false } = {}): Promise<void> {
    const seq = ++this.#seq;
    this.phase = 'loading';
    this.fileName = files.map((f) => f.name).join(', ');
    this.fileSize = files.reduce((n, f) => n + f.size, 0);
    this.isSample = sample;
    this.error = null;
    this.#resetLog();
    this.classMap.reset();
    try {
      const info = await this.#client.openFiles(files);
      if (seq !== this.#seq) return;
      this.info = info;
      this.phase = 'ready';
    } catch (e) {
      if (seq !== this.#seq) return;
      this.info = null;
      this.error = describeError(e);
      this.phase = 'error';
      return;
    }
    await this.#readLog(seq);
    if (seq === this.#seq) await this.classMap.load();
  }

  /** The log of the dump just opened (the worker keeps it open); a newer open wins. */
  async #readLog(seq: number): Promise<void> {
    this.logPhase = 'loading';
    try {
      const log = await this.#client.readLog();
      if (seq !== this.#seq) return;
      this.log = log;
      this.logPhase = 'ready';
    } catch (e) {
      if (seq !== this.#seq) return;
      this.log = null;
      this.logError = describeError(e);
      this.logPhase = 'error';
    }
  }

  #resetLog(): void {
    this.logPhase = 'idle';
    this.log = null;
    this.logError = null;
  }

  /**
   * Loads the bundled sample. On start-up (`quiet`) a missing sample just leaves the empty drop zone; from the
   * button it says that this build has none.
   */
  async loadSample({ quiet = false } = {}): Promise<void> {
    const seq = this.#seq;
    const file = await this.#fetchSample();
    if (quiet && seq !== this.#seq) return; // the user opened something while we fetched
    if (file) return this.open([file], { sample: true });
    if (quiet) return;
    ++this.#seq;
    this.info = null;
    this.isSample = false;
    this.fileName = null;
    this.#resetLog();
    this.classMap.reset();
    this.error = {
      code: 'E_NO_SAMPLE',
      headline: 'No sample dump in this build',
      message: `${SAMPLE_URL} is not on this server.`,
      hint: 'Put a small vmcore at web/public/sample.vmcore and rebuild, or open a dump of your own.',
    };
    this.phase = 'error';
  }

  /** The sample as a File (kept after the first fetch), or null when this server has none. */
  async #fetchSample(): Promise<File | null> {
    if (this.#sample) return this.#sample;
    try {
      const res = await fetch(SAMPLE_URL, { cache: 'no-cache' });
      // A host that answers every path with index.html is not serving a sample either.
      if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) return null;
      const blob = await res.blob();
      this.#sample = new File([blob], SAMPLE_NAME, { type: 'application/octet-stream' });
      return this.#sample;
    } catch {
      return null;
    }
  }

  /** Back to the empty drop zone. */
  clear(): void {
    ++this.#seq;
    this.phase = 'empty';
    this.info = null;
    this.error = null;
    this.fileName = null;
    this.fileSize = null;
    this.isSample = false;
    this.#resetLog();
    this.classMap.reset();
    void this.#client.close().catch(() => undefined);
  }
}
