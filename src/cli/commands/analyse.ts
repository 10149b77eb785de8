import { OUTPUT_KINDS, type AnalyseCallOptions } from '../../index.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { withVmcore } from '../open-input.js';
import { printWarnings } from '../print-warnings.js';

const mb = (n: number) => (n / 1e6).toFixed(1).padStart(9);

/** `vmsieve --analyse [--json] [--num-threads N] VMCOREFILE` (or the files of a split set): what every dump level and format would weigh. */
export async function analyse(paths: readonly string[], json: boolean, threads: number | undefined, sampling: Pick<AnalyseCallOptions, 'sampleEvery' | 'measureEvery'>, io: CliIo): Promise<number> {
  return withVmcore(paths, io, async (vmcore) => {
    const path = vmcore.name;
    const { levels, estimated, estimatedKinds, pagesEstimated, measuredEvery, classified, inputLevel, lacking } = await vmcore.analyse({ threads, signal: io.signal, ...sampling });
    printWarnings(classified.warnings, io);
    if (json) {
      io.stdout(`${JSON.stringify({ estimated, estimatedKinds, pagesEstimated, measuredEvery, inputLevel, lacking, levels })}\n`);
      return EXIT_OK;
    }
    const how = pagesEstimated
      ? `Estimated (1 window in ${sampling.sampleEvery} read) output`
      : estimated
        ? `Output (${estimatedKinds.join(', ')} estimated from 1 page in ${measuredEvery}, 1 in ${measuredEvery * 4} for zlib and zstd; the rest exact)`
        : 'Output';
    io.stdout(`${how} size in MB (10^6 bytes) at each dump level of ${path}:\n\n`);
    if (inputLevel !== undefined)
      io.stdout(`${path} is kdump-compressed at dump level ${inputLevel}: it lacks ${lacking} pages that level left out, so a level without all of its bits gives what the level in brackets gives.\n\n`);
    io.stdout(` -d    pages ${OUTPUT_KINDS.map((k) => k.padStart(13)).join('')}\n`);
    for (const l of levels)
      io.stdout(`${String(l.level).padStart(3)} ${String(l.pages).padStart(8)} ${OUTPUT_KINDS.map((k) => mb(l.bytes[k]).padStart(13)).join('')}${l.sameAs === undefined ? '' : `  (-d ${l.sameAs})`}\n`);
    return EXIT_OK;
  });
}
