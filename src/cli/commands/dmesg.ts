import { NodeFileSink } from '../../index.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js';
import { withVmcore } from '../open-input.js';
import { checkOutputNames } from '../output-names.js';

/** `vmsieve --dump-dmesg [--partial-dmesg] [-f] VMCOREFILE LOGFILE`, as makedumpfile writes it. */
export async function dumpDmesg(input: string | readonly string[], output: string, partial: boolean, force: boolean, io: CliIo): Promise<number> {
  // Like makedumpfile's check_dump_file: refuse before reading anything.
  await checkOutputNames([output], typeof input === 'string' ? [input] : input, force);
  const result = await withVmcore(input, io, (vmcore) => vmcore.dmesg({ partial }));
  // Written even when the log_buf walk stopped on corruption, as makedumpfile leaves what it wrote.
  const sink = await NodeFileSink.create(output, { overwrite: force });
  try {
    await sink.write(0, Buffer.from(result.log, 'latin1'));
    await sink.close();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  for (const w of result.warnings) io.stderr(`vmsieve: ${w.message}\n`);
  if (!result.complete) {
    io.stderr(`vmsieve: the kernel log in ${input} is corrupt; ${output} holds the records read before the corruption\n`);
    return EXIT_FAILED;
  }
  io.stdout(`\nThe dmesg log is saved to ${output}.\n`);
  return EXIT_OK;
}
