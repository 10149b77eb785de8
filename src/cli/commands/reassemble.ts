import { isKdumpDump, membersOf, NodeFileSink, reassemble as joinSplitSet, VmsieveError } from '../../index.js';
import type { CliOptions } from '../args.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { withDump } from '../open-input.js';

/** `vmsieve --reassemble FILE1 FILE2 … DUMPFILE`: a makedumpfile --split set joined into one kdump file. */
export async function reassembleCommand(o: CliOptions, io: CliIo): Promise<number> {
  if (o.positionals.length < 3)
    throw new VmsieveError('E_USAGE', `--reassemble takes the files of a split set, then DUMPFILE (at least three names)\nTry 'vmsieve --help'.`);
  const inputs = o.positionals.slice(0, -1);
  const output = o.positionals[o.positionals.length - 1]!;
  return withDump(inputs, async (set) => {
    if (!isKdumpDump(set)) throw new VmsieveError('E_SPLIT_SET', `${inputs[0]} is not a kdump-compressed file from makedumpfile --split`);
    const sink = await NodeFileSink.create(output, { overwrite: o.force });
    try {
      await joinSplitSet(membersOf(set), sink);
      await sink.close();
    } catch (e) {
      await sink.abort();
      throw e;
    }
    io.stdout(`\nThe dumpfile is saved to ${output}.\n`);
    return EXIT_OK;
  }, io);
}
