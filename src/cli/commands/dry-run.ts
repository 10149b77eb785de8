import { classifyDump } from '../../filter/classify-dump.js';
import { formatReport, reportForLevel, type PageReport } from '../../filter/report.js';
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

/** `vmsieve --dry-run [--show-stats] [--json] -d LEVEL VMCOREFILE`: classify and report, write nothing. */
export async function dryRun(path: string, level: number, json: boolean, showStats: boolean, io: CliIo): Promise<number> {
  return withInput(path, async ({ dump, km, kernels }) => {
    const result = await classifyDump(dump, km, kernels, { zeroScan: [level] });
    printWarnings(result.warnings, io);
    const report = reportForLevel(result, level);
    if (json) io.stdout(`${JSON.stringify(reportJson(report))}\n`);
    else if (showStats) io.stdout(formatReport(report));
    return 0;
  });
}
