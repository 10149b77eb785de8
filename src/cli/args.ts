import type { CodecId } from '../codecs/registry.js';
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
  /** --analyse: the size of every output at every dump level, from one pass. */
  analyse: boolean;
  /** -E: write an ELF dump instead of kdump-compressed. */
  elf: boolean;
  /** -F: write the flattened format to standard output. */
  flatten: boolean;
  /** -R: rebuild a normal dump file from flattened data on standard input. */
  rearrange: boolean;
  /** -c / -l / -p / -z, in makedumpfile's letters. */
  codecs: CodecId[];
  dumpLevel: number | undefined;
  messageLevel: number | undefined;
  numThreads: number | undefined;
  /** --advise: which level and codec capture fastest, and the kdump configuration lines for it. */
  advise: boolean;
  /** --write-speed MB/s: with --advise, how fast the dump target takes data. */
  writeSpeed: number | undefined;
  /** --max-size BYTES: with --advise, the largest file allowed. */
  maxSize: number | undefined;
  /** --estimate N: --analyse reads one window in N. */
  estimate: number | undefined;
  /** --measure-every N: --analyse reads every page but compresses one non-zero page in N. */
  measureEvery: number | undefined;
  positionals: string[];
}

type BooleanKey = { [K in keyof CliOptions]: CliOptions[K] extends boolean ? K : never }[keyof CliOptions];

const FLAGS: Record<string, BooleanKey> = {
  '-h': 'help',
  '--help': 'help',
  '-v': 'version',
  '--version': 'version',
  '--info': 'info',
  '--analyse': 'analyse',
  '--analyze': 'analyse',
  '--advise': 'advise',
  '--json': 'json',
  '--dry-run': 'dryRun',
  '--show-stats': 'showStats',
  '--dump-dmesg': 'dumpDmesg',
  '--partial-dmesg': 'partialDmesg',
  '-f': 'force',
  '-E': 'elf',
  '-F': 'flatten',
  '-R': 'rearrange',
};

const CODEC_FLAGS: Record<string, CodecId> = { '-c': 'zlib', '-l': 'lzo', '-p': 'snappy', '-z': 'zstd' };

const VALUED: Record<string, { key: 'dumpLevel' | 'messageLevel' | 'numThreads' | 'estimate' | 'measureEvery' | 'writeSpeed' | 'maxSize'; min: number; max: number }> = {
  '--write-speed': { key: 'writeSpeed', min: 1, max: 1e6 },
  '--max-size': { key: 'maxSize', min: 1, max: Number.MAX_SAFE_INTEGER },
  '--estimate': { key: 'estimate', min: 1, max: 1 << 20 },
  '--measure-every': { key: 'measureEvery', min: 1, max: 1 << 20 },
  '-d': { key: 'dumpLevel', min: 0, max: 31 },
  '--dump-level': { key: 'dumpLevel', min: 0, max: 31 },
  '--message-level': { key: 'messageLevel', min: 0, max: 31 },
  '--num-threads': { key: 'numThreads', min: 1, max: 256 },
};

function usage(message: string): VmsieveError {
  return new VmsieveError('E_USAGE', `${message}\nTry 'vmsieve --help'.`);
}

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text)) throw usage(`${flag} needs a number, got ${text === undefined ? 'nothing' : `"${text}"`}`);
  const n = Number(text);
  if (n < min || n > max) throw usage(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** makedumpfile's flag grammar; a value follows its flag or is attached to it (-d31, --num-threads=2). */
export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = {
    help: false,
    version: false,
    info: false,
    analyse: false,
    advise: false,
    writeSpeed: undefined,
    maxSize: undefined,
    json: false,
    dryRun: false,
    showStats: false,
    dumpDmesg: false,
    partialDmesg: false,
    force: false,
    elf: false,
    flatten: false,
    rearrange: false,
    codecs: [],
    dumpLevel: undefined,
    messageLevel: undefined,
    numThreads: undefined,
    estimate: undefined,
    measureEvery: undefined,
    positionals: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const attached = /^(-d)(\d+)$/.exec(a);
    if (name in FLAGS) {
      o[FLAGS[name]] = true;
    } else if (name in CODEC_FLAGS) {
      o.codecs.push(CODEC_FLAGS[name]);
    } else if (name in VALUED) {
      const spec = VALUED[name];
      o[spec.key] = integer(name, eq > 0 ? a.slice(eq + 1) : argv[++i], spec.min, spec.max);
    } else if (attached) {
      o.dumpLevel = integer('-d', attached[2], 0, 31);
    } else if (a.startsWith('-') && a !== '-') {
      throw usage(`unknown option ${a}`);
    } else {
      o.positionals.push(a);
    }
  }
  return o;
}
