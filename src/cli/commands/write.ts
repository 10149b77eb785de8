import { FlattenedSink, formatReport, NodeFileSink, NodeStreamSink, restoreFlattened, SizeLimitedKdumpSink, VmsieveError, type ByteSink, type SecretFinding } from '../../index.js';
import { codecFlag } from '../../pipeline/outputs.js';
import { usage, type CliOptions } from '../args.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js';
import { withVmcore } from '../open-input.js';
import { checkOutputNames } from '../output-names.js';
import { printWarnings } from '../print-warnings.js';
import { closedAtStart, streamFd } from '../std-streams.js';

const REPORT_MESSAGES = 16;

/** The flag combinations makedumpfile refuses, refused with a reason. */
function checkWriteFlags(o: CliOptions): void {
  if (o.codecs.length > 1) throw usage(`choose one compression: ${o.codecs.map(codecFlag).join(' and ')} were both given`);
  if (o.elf && o.codecs.length) throw usage('-E (ELF output) cannot be compressed: drop -c/-l/-p/-z or -E');
  if (o.elf && o.numThreads !== undefined) throw usage('--num-threads cannot be used with ELF output (-E), as in makedumpfile');
  if (o.sizeLimit !== undefined && (o.elf || o.flatten)) throw usage('-L limits kdump-compressed output to a file; vmsieve does not limit -E or -F output');
  if (o.positionals.length < (o.flatten ? 1 : 2))
    throw usage(o.flatten ? '-F takes VMCOREFILE (or the files of a split set) and writes to standard output' : 'give VMCOREFILE (or the files of a split set) and DUMPFILE');
}

/** What --erase-found zeroed, counted (never shown: vmsieve --scan-secrets lists them masked). */
function erasedLine(erased: readonly SecretFinding[], elf: boolean): string {
  const secret = erased.filter((f) => f.category === 'secret').length;
  const where = elf ? 'ELF output has no place to record it' : 'recorded in the eraseinfo';
  return `Erased ${erased.length} finding${erased.length === 1 ? '' : 's'} of the secret scan (${secret} secret, ${erased.length - secret} identifying): their bytes are zero in the output (${where}).\n`;
}

/** -F writes to standard output: one that was closed would take the dump and keep nothing. */
function checkStandardOutput(io: CliIo): void {
  if (!io.stdoutStream) throw new VmsieveError('E_IO', '-F needs a binary standard output');
  const fd = streamFd(io.stdoutStream);
  if (fd !== undefined && closedAtStart(fd))
    throw new VmsieveError('E_IO', '-F writes the dump to standard output, and standard output is closed: redirect it to a file or a pipe');
}

/** `vmsieve [-d L] [-c|-l|-p|-z] [-E] [-F] [-f] [--num-threads N] VMCOREFILE… [DUMPFILE]`: VMCOREFILE or the files of a split set. */
export async function writeDump(o: CliOptions, io: CliIo): Promise<number> {
  checkWriteFlags(o);
  const inputs = o.flatten ? o.positionals : o.positionals.slice(0, -1);
  const output = o.positionals[o.positionals.length - 1]!;
  const codec = o.codecs[0];
  const level = o.dumpLevel ?? 0;
  const say = o.flatten ? io.stderr : io.stdout;
  if (o.flatten) checkStandardOutput(io);
  else await checkOutputNames([output], inputs, o.force);
  return withVmcore(inputs, io, async (vmcore) => {
    const file: ByteSink = o.flatten
      ? new FlattenedSink(new NodeStreamSink(io.stdoutStream!))
      : await NodeFileSink.create(output, { overwrite: o.force, signal: io.signal });
    const limited = o.sizeLimit === undefined ? undefined : new SizeLimitedKdumpSink(file, o.sizeLimit, vmcore.dump.arch.byteOrder);
    const result = await vmcore.export(limited ?? file, { level, format: o.elf ? 'elf' : 'kdump', codec, threads: o.numThreads, signal: io.signal, eraseFound: o.eraseFound });
    printWarnings(result.warnings, io);
    if (result.erased) say(erasedLine(result.erased, o.elf));
    if (o.showStats || ((o.messageLevel ?? 0) & REPORT_MESSAGES) !== 0) say(formatReport(result.report, { writeBytes: result.fileSize }));
    if (limited?.overflowed) {
      io.stderr(`vmsieve: ${output} reached the size limit (-L ${o.sizeLimit} bytes): it is incomplete (flagged DUMP_DH_COMPRESSED_INCOMPLETE), the pages that did not fit are missing\n`);
      return EXIT_FAILED;
    }
    say(o.flatten ? `\nThe dumpfile is written to standard output (flattened).\n` : `\nThe dumpfile is saved to ${output}.\n`);
    return EXIT_OK;
  });
}

/** `vmsieve -R DUMPFILE < FLATTENED`: replays makedumpfile's flattened records into a normal file. */
export async function rearrange(o: CliOptions, io: CliIo): Promise<number> {
  if (o.positionals.length !== 1) throw usage('-R takes DUMPFILE and reads the flattened data from standard input');
  if (!io.stdinStream) throw new VmsieveError('E_IO', '-R needs a binary standard input');
  const stdinFd = streamFd(io.stdinStream);
  await checkOutputNames(o.positionals, stdinFd === undefined ? [] : [stdinFd], o.force);
  const sink = await NodeFileSink.create(o.positionals[0], { overwrite: o.force, signal: io.signal });
  try {
    await restoreFlattened(io.stdinStream, sink, 'standard input');
    await sink.close();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  io.stdout(`\nThe dumpfile is saved to ${o.positionals[0]}.\n`);
  return EXIT_OK;
}
