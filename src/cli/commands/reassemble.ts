import { NodeFileSink } from '../../index.js';
import { usage, type CliOptions } from '../args.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { withVmcore } from '../open-input.js';
import { checkOutputNames } from '../output-names.js';

/** `vmsieve --reassemble FILE1 FILE2 … DUMPFILE`: a makedumpfile --split set joined into one kdump file. */
export async function reassembleCommand(o: CliOptions, io: CliIo): Promise<number> {
  if (o.positionals.length < 3)
    throw usage(`--reassemble takes the files of a split set, then DUMPFILE (at least three names)`);
  const inputs = o.positionals.slice(0, -1);
  const output = o.positionals[o.positionals.length - 1]!;
  await checkOutputNames([output], inputs, o.force);
  return withVmcore(inputs, io, async (set) => {
    await set.reassemble(() => NodeFileSink.create(output, { overwrite: o.force, signal: io.signal }));
    io.stdout(`\nThe dumpfile is saved to ${output}.\n`);
    return EXIT_OK;
  });
}
