import { isVmsieveError } from '../errors.js';
import { openDump } from '../formats/open-dump.js';
import { describeDump } from '../info/dump-info.js';
import { NodeFileSource } from '../io/node-source.js';
import { parseArgs, type CliOptions } from './args.js';
import { formatInfo } from './format-info.js';
import { HELP, VERSION } from './help.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** The dump was read, but without VMCOREINFO: facts are partial and no page filtering is possible. */
export const EXIT_INCOMPLETE = 3;

async function info(o: CliOptions, io: CliIo): Promise<number> {
  if (o.positionals.length !== 1) {
    io.stderr(`vmsieve: --info takes exactly one VMCOREFILE\nTry 'vmsieve --help'.\n`);
    return EXIT_USAGE;
  }
  const source = await NodeFileSource.open(o.positionals[0]);
  try {
    const d = await describeDump(await openDump(source));
    io.stdout(o.json ? `${JSON.stringify(d, null, 2)}\n` : formatInfo(d));
    if (d.warnings.some((w) => w.code === 'E_NO_VMCOREINFO')) {
      io.stderr(`vmsieve: ${d.warnings.find((w) => w.code === 'E_NO_VMCOREINFO')!.message}\n`);
      return EXIT_INCOMPLETE;
    }
    return EXIT_OK;
  } finally {
    await source.close();
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const o = parseArgs(argv);
    if (o.help) {
      io.stdout(HELP);
      return EXIT_OK;
    }
    if (o.version) {
      io.stdout(`${VERSION}\n`);
      return EXIT_OK;
    }
    if (o.info) return await info(o, io);
    io.stderr(`vmsieve: nothing to do: give --info VMCOREFILE\nTry 'vmsieve --help'.\n`);
    return EXIT_USAGE;
  } catch (e) {
    if (isVmsieveError(e)) {
      io.stderr(`vmsieve: ${e.message}\n`);
      return e.code === 'E_USAGE' ? EXIT_USAGE : EXIT_FAILED;
    }
    throw e;
  }
}
