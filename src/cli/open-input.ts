import { openVmcore, type Dump, type OpenedDump, type Vmcore } from '../index.js';
import type { CliIo } from './cli-io.js';

/**
 * Opens VMCOREFILE (or the files of one makedumpfile --split set) for the duration of `use`, and closes it whatever
 * happens. With `io`, what the reader warns about (an incomplete file and its missing pfn ranges, a wrong header
 * field) goes to stderr first.
 */
async function withVmcore<T>(paths: string | readonly string[], io: CliIo | undefined, use: (vmcore: Vmcore) => Promise<T>): Promise<T> {
  const vmcore = await openVmcore(paths);
  try {
    if (io) for (const w of vmcore.dump.warnings ?? []) io.stderr(`vmsieve: warning: ${w.message}\n`);
    return await use(vmcore);
  } finally {
    await vmcore.close();
  }
}

/** The dump's structure: headers, notes, segments. */
export function withDump<T>(paths: string | readonly string[], use: (dump: Dump) => Promise<T>, io?: CliIo): Promise<T> {
  return withVmcore(paths, io, (v) => use(v.dump));
}

/** The dump, its kernel memory view and a wasm instance. */
export function withInput<T>(paths: string | readonly string[], use: (input: OpenedDump) => Promise<T>, io?: CliIo): Promise<T> {
  return withVmcore(paths, io, async (v) => use(await v.input()));
}
