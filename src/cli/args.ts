import { VmsieveError } from '../errors.js';

export interface CliOptions {
  help: boolean;
  version: boolean;
  info: boolean;
  json: boolean;
  dryRun: boolean;
  showStats: boolean;
  /** --dump-dmesg VMCOREFILE LOGFILE: write the kernel log as makedumpfile does. */
  dumpDmesg: boolean;
  /** --partial-dmesg: only the log after the last `dmesg -c` (needs --dump-dmesg). */
  partialDmesg: boolean;
  /** -f: overwrite an existing output file (makedumpfile refuses otherwise). */
  force: boolean;
  dumpLevel: number | undefined;
  messageLevel: number | undefined;
  positionals: string[];
}

const FLAGS: Record<string, keyof CliOptions> = {
  '-h': 'help',
  '--help': 'help',
  '-v': 'version',
  '--version': 'version',
  '--info': 'info',
  '--json': 'json',
  '--dry-run': 'dryRun',
  '--show-stats': 'showStats',
  '--dump-dmesg': 'dumpDmesg',
  '--partial-dmesg': 'partialDmesg',
  '-f': 'force',
};

const VALUED: Record<string, 'dumpLevel' | 'messageLevel'> = {
  '-d': 'dumpLevel',
  '--dump-level': 'dumpLevel',
  '--message-level': 'messageLevel',
};

function usage(message: string): VmsieveError {
  return new VmsieveError('E_USAGE', `${message}\nTry 'vmsieve --help'.`);
}

function integer(flag: string, text: string | undefined, max: number): number {
  if (text === undefined || !/^\d+$/.test(text)) throw usage(`${flag} needs a number, got ${text === undefined ? 'nothing' : `"${text}"`}`);
  const n = Number(text);
  if (n > max) throw usage(`${flag} must be between 0 and ${max}, got ${n}`);
  return n;
}

/** makedumpfile's flag grammar: short flags may be grouped (-cd 31 is not allowed there either, so values follow the flag or are attached: -d31). */
export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = {
    help: false,
    version: false,
    info: false,
    json: false,
    dryRun: false,
    showStats: false,
    dumpDmesg: false,
    partialDmesg: false,
    force: false,
    dumpLevel: undefined,
    messageLevel: undefined,
    positionals: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (name in FLAGS) {
      (o[FLAGS[name]] as boolean) = true;
    } else if (name in VALUED) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      o[VALUED[name]] = integer(name, value, name === '--message-level' ? 31 : 31);
    } else if (/^-d\d+$/.test(a)) {
      o.dumpLevel = integer('-d', a.slice(2), 31);
    } else if (a.startsWith('-') && a !== '-') {
      throw usage(`unknown option ${a}`);
    } else {
      o.positionals.push(a);
    }
  }
  return o;
}
