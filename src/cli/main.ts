import { isVmsieveError, VmsieveError } from '../errors.js';
import { parseArgs, type CliOptions } from './args.js';
import type { CliIo } from './cli-io.js';
import { dumpDmesg } from './commands/dmesg.js';
import { advise } from './commands/advise.js';
import { analyse } from './commands/analyse.js';
import { dryRun } from './commands/dry-run.js';
import { info } from './commands/info.js';
import { rearrange, writeDump } from './commands/write.js';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { HELP, VERSION } from './help.js';

export type { CliIo } from './cli-io.js';

function usage(message: string): VmsieveError {
  return new VmsieveError('E_USAGE', `${message}\nTry 'vmsieve --help'.`);
}

function positionals(o: CliOptions, min: number, max: number, what: string): string[] {
  if (o.positionals.length < min || o.positionals.length > max) throw usage(what);
  return o.positionals;
}

async function dispatch(o: CliOptions, io: CliIo): Promise<number> {
  if (o.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (o.version) {
    io.stdout(`${VERSION}\n`);
    return EXIT_OK;
  }
  if (o.partialDmesg && !o.dumpDmesg) throw usage('--partial-dmesg needs --dump-dmesg');
  if (o.dumpDmesg) {
    if (o.dryRun) throw usage('--dry-run cannot be used with --dump-dmesg');
    const [input, output] = positionals(o, 2, 2, '--dump-dmesg takes VMCOREFILE LOGFILE');
    return dumpDmesg(input, output, o.partialDmesg, o.force, io);
  }
  if (o.analyse) return analyse(positionals(o, 1, 1, '--analyse takes exactly one VMCOREFILE')[0], o.json, o.numThreads, { sampleEvery: o.estimate, measureEvery: o.measureEvery }, io);
  if ((o.writeSpeed !== undefined || o.maxSize !== undefined) && !o.advise) throw usage('--write-speed and --max-size go with --advise');
  if (o.advise)
    return advise(positionals(o, 1, 1, '--advise takes exactly one VMCOREFILE')[0], { json: o.json, threads: o.numThreads, writeSpeed: o.writeSpeed, maxSize: o.maxSize }, io);
  if (o.info) return info(positionals(o, 1, 1, '--info takes exactly one VMCOREFILE')[0], o.json, io);
  if (o.dryRun) {
    // makedumpfile wants a DUMPFILE even with --dry-run (and writes nothing); accept it or leave it out.
    const [input] = positionals(o, 1, 2, '--dry-run takes VMCOREFILE [DUMPFILE]');
    return dryRun(input, o.dumpLevel ?? 0, o.json, o.showStats || !o.json, o.numThreads, io);
  }
  if (o.rearrange) return rearrange(o, io);
  if (o.positionals.length === 0) throw usage('nothing to do: give VMCOREFILE DUMPFILE (or --info, --dry-run, --dump-dmesg, -R)');
  return writeDump(o, io);
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(parseArgs(argv), io);
  } catch (e) {
    if (io.signal?.aborted) {
      io.stderr(`vmsieve: ${(io.signal.reason as Error)?.message ?? 'interrupted'}; nothing was left behind\n`);
      return EXIT_INTERRUPTED;
    }
    if (isVmsieveError(e)) {
      io.stderr(`vmsieve: ${e.message}\n`);
      return e.code === 'E_USAGE' ? EXIT_USAGE : EXIT_FAILED;
    }
    throw e;
  }
}
