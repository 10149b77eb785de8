/// <reference lib="webworker" />
/**
 * The page-class map of the open dump, inside the dump worker: the shared classification (jobs.classificationFor),
 * zero-scanned for level 31 and boiled down to a ClassOverview for the picture. It runs beside an analysis or export,
 * not in their job slot; the zero scan copies each window into the wasm instance and scans it in one synchronous step,
 * so it can share the instance the classification uses.
 */
import { classOverview, copyClassification, scanZeroPages, VmsieveError, type ClassifyResult, type ClassOverview, type Dump } from '../../src/browser.js';
import { classificationFor, openedFor } from './jobs.js';

/** How far the classification is, in pages: struct pages read, then pages scanned for zeroes. */
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
  warnings: { code: string; message: string }[];
}

const PROGRESS_INTERVAL_MS = 150;

interface Run {
  controller: AbortController;
  settled: Promise<void>;
}

let latest: Run | undefined;
let mapped: { dump: Dump; classified: ClassifyResult } | undefined;

/** The classification the class map of `dump` was drawn from (zero bits for the pages level 31 keeps), once it is done. */
export function mappedClassification(dump: Dump): ClassifyResult | undefined {
  return mapped?.dump === dump ? mapped.classified : undefined;
}
function stoppedError(): VmsieveError {
  return new VmsieveError('E_CANCELLED', 'The page-class map was stopped.');
}

/** Classifies `dump` and counts its page classes in at most `buckets` buckets. A newer call stops an older one. */
export function classMapOf(dump: Dump, buckets: number, onProgress?: ClassMapProgressCallback): Promise<ClassMapSummary> {
  const previous = latest;
  const controller = new AbortController();
  const work = (async (): Promise<ClassMapSummary> => {
    if (previous) {
      previous.controller.abort(stoppedError());
      await previous.settled;
    }
    const { kernels } = await openedFor(dump);
    if (controller.signal.aborted) throw stoppedError();
    let lastReport = -Infinity;
    const report = (phase: ClassMapProgress['phase'], done: number, total: number) => {
      const now = performance.now();
      if (!onProgress || (now - lastReport < PROGRESS_INTERVAL_MS && done < total)) return;
      lastReport = now;
      void Promise.resolve(onProgress({ phase, done, total })).then((go) => go === false && controller.abort(stoppedError()), () => undefined);
    };
    const shared = classificationFor(dump, report);
    // The shared classification goes on for the jobs that need it; this call stops waiting for it.
    const stopped = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(stoppedError()), { once: true }));
    stopped.catch(() => undefined);
    const classified = copyClassification(await Promise.race([shared, stopped]));
    // The map shows level 31, so only the pages that level keeps are read for zeroes (every page, at level 1).
    await scanZeroPages(dump, classified, kernels, [31], { signal: controller.signal, onProgress: report });
    mapped = { dump, classified };
    return {
      overview: classOverview(classified, buckets),
      inDumpPages: classified.inDump.reduce((n, r) => n + r.end - r.start, 0),
      originalPages: classified.originalPages,
      warnings: classified.warnings.map(({ code, message }) => ({ code, message })),
    };
  })();
  const run: Run = { controller, settled: work.then(() => undefined, () => undefined) };
  latest = run;
  void run.settled.then(() => {
    if (latest === run) latest = undefined;
  });
  return work.catch((e: unknown) => {
    throw controller.signal.aborted ? stoppedError() : e;
  });
}

/** Stops the running class map, if any (the dump it reads is being replaced or closed). */
export function stopClassMap(): void {
  latest?.controller.abort(stoppedError());
}
