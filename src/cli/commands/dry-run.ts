import { formatReport, type PageReport, type PfnSpan } from '../../index.js';
import type { CliIo } from '../cli-io.js';
import { withVmcore } from '../open-input.js';
import { printWarnings } from '../print-warnings.js';

/** The JSON shape of `--dry-run --show-stats --json`: makedumpfile's "Excluded pages" report. */
export function reportJson(r: PageReport) {
  return {
    level: r.level,
    pages: {
      original: r.original,
      zero: r.zero,
      cache: r.cache,
      cachePrivate: r.cachePrivate,
      user: r.user,
      free: r.free,
      hwpoison: r.hwpoison,
      offline: r.offline,
      remaining: r.remaining,
    },
    memoryHole: r.memoryHole,
    total: r.total,
  };
}

/**
 * `vmsieve --dry-run [--show-stats] [--json] [--range START-END] -d LEVEL VMCOREFILE`: classify and report (over the
 * range only, if given), write nothing.
 */
export async function dryRun(path: string | readonly string[], level: number, json: boolean, showStats: boolean, threads: number | undefined, io: CliIo, range?: PfnSpan): Promise<number> {
  return withVmcore(path, io, async (vmcore) => {
    const result = await vmcore.classify({ levels: [level], threads, signal: io.signal });
    printWarnings(result.warnings, io);
    const report = result.report(level, range);
    if (json) io.stdout(`${JSON.stringify({ ...reportJson(report), ...(range ? { range } : {}) })}\n`);
    else if (showStats) io.stdout(formatReport(report));
    return 0;
  });
}
