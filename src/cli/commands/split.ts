import { rm } from 'node:fs/promises';
import { exportDump, nodeComputePool, NodeFileSink, NodeFileSource, readKdumpDump, splitRanges, VmsieveError, writeSplitMember } from '../../index.js';
import type { CliOptions } from '../args.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { inputCount, withInput } from '../open-input.js';
import { printWarnings } from '../print-warnings.js';

/**
 * `vmsieve --split [-d L] [-c|-l|-p|-z] [--splitblock-size KiB] VMCOREFILE DUMPFILE1 DUMPFILE2 …` (VMCOREFILE may be the
 * files of a split set, told apart from the DUMPFILEs by their split headers): the filtered dump
 * written once whole (next to the first member, removed after), then cut into members as makedumpfile --split cuts it.
 */
export async function splitCommand(o: CliOptions, io: CliIo): Promise<number> {
  if (o.positionals.length < 3)
    throw new VmsieveError('E_USAGE', `--split takes VMCOREFILE and at least two DUMPFILEs\nTry 'vmsieve --help'.`);
  if (o.elf || o.flatten || o.sizeLimit !== undefined || o.codecs.length > 1)
    throw new VmsieveError('E_USAGE', `--split writes kdump-compressed members: it cannot be combined with -E, -F, -L or two codecs\nTry 'vmsieve --help'.`);
  const inputs = o.positionals.slice(0, await inputCount(o.positionals));
  const members = o.positionals.slice(inputs.length);
  if (members.length < 2) throw new VmsieveError('E_USAGE', `--split needs at least two DUMPFILEs after ${inputs.join(' ')}\nTry 'vmsieve --help'.`);
  const whole = `${members[0]}.vmsieve-whole`;
  try {
    await withInput(inputs, async (opened) => {
      const codec = o.codecs[0];
      const pool = codec ? await nodeComputePool(opened.dump.pageSize, o.numThreads) : undefined;
      try {
        const sink = await NodeFileSink.create(whole, { overwrite: true });
        const result = await exportDump(opened, sink, { level: o.dumpLevel ?? 0, format: 'kdump', codec, pool, signal: io.signal });
        printWarnings(result.warnings, io);
      } finally {
        await pool?.close();
      }
    }, io);
    const source = await NodeFileSource.open(whole);
    try {
      const dump = await readKdumpDump(source);
      const ranges = splitRanges(dump.bitmap2, dump.maxPfn, dump.pageSize, members.length, o.splitblockSize);
      for (const [i, path] of members.entries()) {
        const sink = await NodeFileSink.create(path, { overwrite: o.force });
        try {
          await writeSplitMember(dump, ranges[i]!, sink);
          await sink.close();
        } catch (e) {
          await sink.abort();
          throw e;
        }
      }
    } finally {
      await source.close();
    }
  } finally {
    await rm(whole, { force: true });
  }
  io.stdout(`\nThe dumpfiles are saved to ${members.slice(0, -1).join(', ')}, and ${members[members.length - 1]}.\n`);
  return EXIT_OK;
}
