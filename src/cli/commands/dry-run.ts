import { classifyDump, closeStarted, formatReport, nodeComputePool, reportForLevel, type PageReport } from '../../index.js';
import type { CliIo } from '../cli-io.js';
import { withInput } from '../open-input.js';
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
 * `vmsieve --dry-run [--show-stats] [--json] -d LEVEL VMCOREFILE`: classify and report, write nothing. With bit 1 in
 * the level, worker threads (started while the struct pages are classified) read and scan the pages for zeros.
 */
export async function dryRun(path: string | readonly string[], level: number, json: boolean, showStats: boolean, threads: number | undefined, io: CliIo): Promise<number> {
  return withInput(path, async ({ dump, km, kernels }) => {
    const pool = level & 1 ? nodeComputePool(dump.pageSize, threads) : undefined;
    pool?.catch(() => undefined);
    let result;
    try {
      result = await classifyDump(dump, km, kernels, { zeroScan: [level], pool, signal: io.signal });
    } finally {
      await closeStarted(pool);
    }
    printWarnings(result.warnings, io);
    const report = reportForLevel(result, level);
    if (json) io.stdout(`${JSON.stringify(reportJson(report))}\n`);
    else if (showStats) io.stdout(formatReport(report));
    return 0;
  }, io);
}
