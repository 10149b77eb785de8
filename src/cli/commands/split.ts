import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NodeFileSink, NodeFileSource } from '../../index.js';
import { usage, type CliOptions } from '../args.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { inputCount, withVmcore } from '../open-input.js';
import { checkOutputNames } from '../output-names.js';
import { printWarnings } from '../print-warnings.js';

/**
 * `vmsieve --split [-d L] [-c|-l|-p|-z] [--splitblock-size KiB] VMCOREFILE DUMPFILE1 DUMPFILE2 …` (VMCOREFILE may be the
 * files of a split set, told apart from the DUMPFILEs by their split headers): the filtered dump
 * written once whole (next to the first member, removed after), then cut into members as makedumpfile --split cuts it.
 */
export async function splitCommand(o: CliOptions, io: CliIo): Promise<number> {
  if (o.positionals.length < 3)
    throw usage(`--split takes VMCOREFILE and at least two DUMPFILEs`);
  if (o.elf || o.flatten || o.sizeLimit !== undefined || o.codecs.length > 1)
    throw usage(`--split writes kdump-compressed members: it cannot be combined with -E, -F, -L or two codecs`);
  const inputs = o.positionals.slice(0, await inputCount(o.positionals));
  const members = o.positionals.slice(inputs.length);
  if (members.length < 2) throw usage(`--split needs at least two DUMPFILEs after ${inputs.join(' ')}`);
  // Every member is checked before any is written: a refusal leaves no earlier member behind.
  await checkOutputNames(members, inputs, o.force);
  await withVmcore(inputs, io, async (vmcore) => {
    const whole = await NodeFileSink.scratch(dirname(members[0]!), { signal: io.signal });
    try {
      const result = await vmcore.split({
        level: o.dumpLevel ?? 0,
        codec: o.codecs[0],
        threads: o.numThreads,
        signal: io.signal,
        members: members.length,
        splitblockSize: o.splitblockSize,
        scratch: { sink: whole, open: () => NodeFileSource.open(whole.target) },
        openMember: (i) => NodeFileSink.create(members[i]!, { overwrite: o.force, signal: io.signal }),
      });
      printWarnings(result.warnings, io);
    } finally {
      await rm(whole.target, { force: true });
    }
  });
  io.stdout(`\nThe dumpfiles are saved to ${members.slice(0, -1).join(', ')}, and ${members[members.length - 1]}.\n`);
  return EXIT_OK;
}
