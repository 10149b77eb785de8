import { isVmsieveError, VmsieveError } from '../index.js';
import { parseArgs, usage, type CliOptions } from './args.js';
import type { CliIo } from './cli-io.js';
import { dumpDmesg } from './commands/dmesg.js';
import { advise } from './commands/advise.js';
import { analyse } from './commands/analyse.js';
import { checkLevelCommand } from './commands/check-level.js';
import { dryRun } from './commands/dry-run.js';
import { info } from './commands/info.js';
import { reassembleCommand } from './commands/reassemble.js';
import { scanSecretsCommand } from './commands/scan-secrets.js';
import { splitCommand } from './commands/split.js';
import { symbol } from './commands/symbol.js';
import { rearrange, writeDump } from './commands/write.js';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { helpFor, VERSION } from './help.js';
import { inputCount } from './open-input.js';

export type { CliIo } from './cli-io.js';

function positionals(o: CliOptions, min: number, max: number, what: string): string[] {
  if (o.positionals.length < min || o.positionals.length > max) throw usage(what);
  return o.positionals;
}

async function dispatch(o: CliOptions, io: CliIo): Promise<number> {
  if (o.version) {
    io.stdout(`${VERSION}\n`);
    return EXIT_OK;
  }
  const writes = !(o.dumpDmesg || o.analyse || o.advise || o.symbols.length || o.checkLevel !== undefined || o.info || o.reassemble || o.split || o.dryRun || o.rearrange || o.scanSecrets);
  if (o.eraseFound && !writes) throw usage('--erase-found goes with writing a dump (VMCOREFILE DUMPFILE, -E, -F)');
  if (o.partialDmesg && !o.dumpDmesg) throw usage('--partial-dmesg needs --dump-dmesg');
  if (o.range && !o.dryRun) throw usage('--range goes with --dry-run');
  if (o.dumpDmesg) {
    if (o.dryRun) throw usage('--dry-run cannot be used with --dump-dmesg');
    const files = positionals(o, 2, Infinity, '--dump-dmesg takes VMCOREFILE (or the files of a split set) and LOGFILE');
    return dumpDmesg(files.slice(0, -1), files[files.length - 1]!, o.partialDmesg, o.force, io);
  }
  if (o.analyse) return analyse(positionals(o, 1, Infinity, '--analyse takes VMCOREFILE (or the files of a split set)'), o.json, o.numThreads, { sampleEvery: o.estimate, measureEvery: o.measureEvery }, io);
  if ((o.writeSpeed !== undefined || o.maxSize !== undefined) && !o.advise) throw usage('--write-speed and --max-size go with --advise');
  if (o.advise)
    return advise(positionals(o, 1, Infinity, '--advise takes VMCOREFILE (or the files of a split set)'), { json: o.json, threads: o.numThreads, writeSpeed: o.writeSpeed, maxSize: o.maxSize }, io);
  if (o.symbols.length) return symbol(positionals(o, 1, Infinity, '--symbol takes VMCOREFILE (or the files of a split set)'), o.symbols, o.json, io);
  if (o.checkLevel !== undefined) return checkLevelCommand(positionals(o, 1, Infinity, '--check-level takes VMCOREFILE (or the files of a split set)'), o.checkLevel, o.json, io);
  if (o.scanSecrets) return scanSecretsCommand(positionals(o, 1, Infinity, '--scan-secrets takes VMCOREFILE (or the files of a split set)'), o.dumpLevel ?? 0, o.json, o.numThreads, io);
  if (o.info) return info(positionals(o, 1, Infinity, '--info takes VMCOREFILE (or the files of a split set)'), o.json, io);
  if (o.reassemble) return reassembleCommand(o, io);
  if (o.split) return splitCommand(o, io);
  if (o.dryRun) {
    // makedumpfile wants a DUMPFILE even with --dry-run (and writes nothing); accept it or leave it out.
    const given = positionals(o, 1, Infinity, '--dry-run takes VMCOREFILE (or the files of a split set) [DUMPFILE]');
    const inputs = given.slice(0, await inputCount(given));
    if (given.length > inputs.length + 1) throw usage(`--dry-run takes VMCOREFILE (or the files of a split set) [DUMPFILE]: ${given.slice(inputs.length).join(' ')} are not one DUMPFILE`);
    return dryRun(inputs, o.dumpLevel ?? 0, o.json, o.showStats || !o.json, o.numThreads, io, o.range);
  }
  if (o.rearrange) return rearrange(o, io);
  if (o.positionals.length === 0) throw usage('nothing to do: give VMCOREFILE DUMPFILE (or --info, --dry-run, --dump-dmesg, -R)');
  return writeDump(o, io);
}

/** An error as one line on stderr, `vmsieve: E_CODE: what is wrong`, its message's lines joined as sentences. */
export function errorLine(e: VmsieveError): string {
  const lines = e.message.split('\n').map((l) => l.trim()).filter(Boolean);
  return `vmsieve: ${e.code}: ${lines.map((l, i) => (i < lines.length - 1 && !/[.;:!?]$/.test(l) ? `${l}.` : l)).join(' ')}\n`;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // A command flag that takes a value would swallow a --help written right after it (vmsieve --check-level --help).
  if (argv.some((a) => a === '--help' || a === '-h')) {
    io.stdout(helpFor(argv));
    return EXIT_OK;
  }
  try {
    return await dispatch(parseArgs(argv), io);
  } catch (e) {
    if (io.signal?.aborted) {
      io.stderr(`vmsieve: E_CANCELLED: ${(io.signal.reason as Error)?.message ?? 'interrupted'}; nothing was left behind\n`);
      return EXIT_INTERRUPTED;
    }
    if (isVmsieveError(e)) {
      io.stderr(errorLine(e));
      return e.code === 'E_USAGE' ? EXIT_USAGE : EXIT_FAILED;
    }
    throw e;
  }
}
