import { VmsieveError } from '../errors.js';
import { classOverview, type ClassOverview } from '../filter/class-overview.js';
import { copyClassification, type ClassifyResult } from '../filter/classify-dump.js';
import type { ClassifyProgress } from './shared-classification.js';

/** How far the class map is, in pages: struct pages read, then pages scanned for zeroes. */
export interface ClassMapProgress {
  phase: 'classify' | 'zero';
  done: number;
  total: number;
}

/** Called a few times a second; returning false stops the work (the call then rejects with E_CANCELLED). */
export type ClassMapProgressCallback = (p: ClassMapProgress) => boolean | void | Promise<boolean | void>;

export interface ClassMapSummary {
  overview: ClassOverview;
  /** Distinct pfns in the dump. */
  inDumpPages: number;
  /** makedumpfile's "Original pages": pages in two PT_LOADs (kdump's kernel image) count twice. */
  originalPages: number;
  /** What classifying found: a 'warning' changes what the counts mean; an 'info' note says why a fallback is right. */
  warnings: { code: string; message: string; severity: 'warning' | 'info' }[];
}

/** What a class map is drawn from: the shared classification, and a zero scan of a private copy of it. */
export interface ClassMapSource {
  classification(onProgress: ClassifyProgress): Promise<ClassifyResult>;
  scanZero(classified: ClassifyResult, signal: AbortSignal, onProgress: ClassifyProgress): Promise<void>;
}

const PROGRESS_INTERVAL_MS = 150;

const stoppedError = () => new VmsieveError('E_CANCELLED', 'The page-class map was stopped.');

/**
 * The page-class map: the shared classification, zero-scanned for level 31 and counted per bucket. It runs beside an
 * analysis or export, not in their job slot; a newer map stops an older one.
 */
export class ClassMaps {
  private latest: { controller: AbortController; settled: Promise<void> } | undefined;
  /** The classification the last finished map was drawn from (zero bits for the pages level 31 keeps). */
  mapped: ClassifyResult | undefined;

  constructor(private readonly source: ClassMapSource) {}

  draw(buckets: number, onProgress?: ClassMapProgressCallback): Promise<ClassMapSummary> {
    const previous = this.latest;
    const controller = new AbortController();
    const work = (async (): Promise<ClassMapSummary> => {
      if (previous) {
        previous.controller.abort(stoppedError());
        await previous.settled;
      }
      if (controller.signal.aborted) throw stoppedError();
      let lastReport = -Infinity;
      const report: ClassifyProgress = (phase, done, total) => {
        const now = performance.now();
        if (!onProgress || (now - lastReport < PROGRESS_INTERVAL_MS && done < total)) return;
        lastReport = now;
        void Promise.resolve(onProgress({ phase, done, total })).then((go) => go === false && controller.abort(stoppedError()), () => undefined);
      };
      // The shared classification goes on for the jobs that need it; this call stops waiting for it.
      const stopped = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(stoppedError()), { once: true }));
      stopped.catch(() => undefined);
      const classified = copyClassification(await Promise.race([this.source.classification(report), stopped]));
      // The map shows level 31, so only the pages that level keeps are read for zeroes (every page, at level 1).
      await this.source.scanZero(classified, controller.signal, report);
      this.mapped = classified;
      return {
        overview: classOverview(classified, buckets),
        inDumpPages: classified.inDump.reduce((n, r) => n + r.end - r.start, 0),
        originalPages: classified.originalPages,
        warnings: classified.warnings.map((w) => ({ code: w.code, message: w.message, severity: 'severity' in w ? w.severity : 'warning' })),
      };
    })();
    const run = { controller, settled: work.then(() => undefined, () => undefined) };
    this.latest = run;
    void run.settled.then(() => {
      if (this.latest === run) this.latest = undefined;
    });
    return work.catch((e: unknown) => {
      throw controller.signal.aborted ? stoppedError() : e;
    });
  }

  /** Stops the map being drawn, if any. */
  stop(): void {
    this.latest?.controller.abort(stoppedError());
  }
}
