import { openVmcore, type Vmcore } from '../index.js';
import type { CliIo } from './cli-io.js';

/**
 * Opens VMCOREFILE (or the files of one makedumpfile --split set) for the duration of `use`, and closes it whatever
 * happens. With `io`, what the reader warns about (an incomplete file and its missing pfn ranges, a wrong header
 * field) goes to stderr first.
 */
export async function withVmcore<T>(paths: string | readonly string[], io: CliIo | undefined, use: (vmcore: Vmcore) => Promise<T>): Promise<T> {
  const vmcore = await openVmcore(paths);
  try {
    if (io) for (const w of vmcore.dump.warnings ?? []) io.stderr(`vmsieve: warning: ${w.message}\n`);
    return await use(vmcore);
  } finally {
    await vmcore.close();
  }
}

const splitShare = (path: string) => withVmcore(path, undefined, async (v) => v.splitShare());

/**
 * How many of `paths`, from the first, are the input: one dump, or the members of the split set the first one
 * belongs to (in any order), taken until their pfn ranges cover the dump. Where the names that follow (DUMPFILEs of
 * --split or --dry-run) start is then told by the files themselves, not by counting.
 */
export async function inputCount(paths: readonly string[]): Promise<number> {
  const first = await splitShare(paths[0]!);
  if (!first) return 1;
  let covered = first.end - first.start;
  let n = 1;
  while (covered < first.maxPfn && n < paths.length) {
    const share = await splitShare(paths[n]!).catch(() => undefined);
    if (!share || share.maxPfn !== first.maxPfn) break;
    covered += share.end - share.start;
    n++;
  }
  return n;
}
