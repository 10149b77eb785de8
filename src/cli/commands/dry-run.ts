import { classifyDump, closeStarted, formatReport, nodeComputePool, pagesToZeroScan, reportForLevel, scanZeroPages, type ComputePool, type PageReport } from '../../index.js';
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
 * Worker threads pay for themselves past these sizes: each takes about 40 ms to start, and this thread classifies about
 * 20 M struct pages and zero-scans about 3 GB of pages a second.
 */
const POOL_FROM_PFN_BYTES = 8 * 2 ** 30;
const POOL_FROM_SCAN_BYTES = 2 ** 29;

/**
 * `vmsieve --dry-run [--show-stats] [--json] -d LEVEL VMCOREFILE`: classify and report, write nothing. With bit 1 in
 * the level the pages that level keeps are read and scanned for zeros: by worker threads (started while the struct
 * pages are classified) on a large dump or when --num-threads asks for more than one, by this thread otherwise.
 */
export async function dryRun(path: string | readonly string[], level: number, json: boolean, showStats: boolean, threads: number | undefined, io: CliIo): Promise<number> {
  return withInput(path, async ({ dump, km, kernels }) => {
    let pool: Promise<ComputePool> | undefined;
    const startPool = () => {
      pool = nodeComputePool(dump.pageSize, threads);
      pool.catch(() => undefined);
      return pool;
    };
    let result;
    try {
      // One worker would do what this thread does, after its start-up.
      const parallel = threads === undefined || threads > 1;
      const early = level & 1 && parallel && (threads !== undefined || dump.maxPfnFromLoads * dump.pageSize >= POOL_FROM_PFN_BYTES) ? startPool() : undefined;
      result = await classifyDump(dump, km, kernels, { zeroScan: early ? [level] : false, pool: early, signal: io.signal });
      if (!early && level & 1) {
        const late = parallel && pagesToZeroScan(result, [level]) * dump.pageSize >= POOL_FROM_SCAN_BYTES ? startPool() : undefined;
        await scanZeroPages(dump, result, kernels, [level], { pool: late, signal: io.signal });
      }
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
