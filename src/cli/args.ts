import { VmsieveError, type CodecId } from '../index.js';
import { CODEC_FLAGS } from '../pipeline/outputs.js';

export interface CliOptions {
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
  /** --reassemble FILE1 FILE2 … DUMPFILE: join a makedumpfile --split set into one kdump file. */
  reassemble: boolean;
  /** -L SIZE: stop the output at SIZE bytes, flagged incomplete (makedumpfile's size limit). */
  sizeLimit: number | undefined;
  /** --split VMCOREFILE DUMPFILE1 DUMPFILE2 …: write the dump as a set of members by pfn range. */
  split: boolean;
  /** --splitblock-size KiB: the granularity --split balances members with (bytes here). */
  splitblockSize: number | undefined;
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
  /** --symbol NAME|ADDRESS[+OFF], repeatable: look names and addresses up in the dump's kallsyms. */
  symbols: string[];
  /** --scan-secrets: search the pages the level keeps for secrets and identifying data. */
  scanSecrets: boolean;
  /** --erase-found: write the dump with every finding of the secret scan zeroed. */
  eraseFound: boolean;
  /** --check-level LEVEL: what kernel objects that dump level would leave out. */
  checkLevel: number | undefined;
  /** --range START-END: with --dry-run, the report over pfns [START, END) only. */
  range: { start: number; end: number } | undefined;
  positionals: string[];
}

type BooleanKey = { [K in keyof CliOptions]: CliOptions[K] extends boolean ? K : never }[keyof CliOptions];

const FLAGS: Record<string, BooleanKey> = {
  '-v': 'version',
  '--version': 'version',
  '--info': 'info',
  '--analyse': 'analyse',
  '--analyze': 'analyse',
  '--advise': 'advise',
  '--json': 'json',
  '--dry-run': 'dryRun',
  '--scan-secrets': 'scanSecrets',
  '--erase-found': 'eraseFound',
  '--show-stats': 'showStats',
  '--dump-dmesg': 'dumpDmesg',
  '--partial-dmesg': 'partialDmesg',
  '-f': 'force',
  '-E': 'elf',
  '-F': 'flatten',
  '-R': 'rearrange',
  '--reassemble': 'reassemble',
  '--split': 'split',
};


const VALUED: Record<string, { key: 'dumpLevel' | 'messageLevel' | 'numThreads' | 'estimate' | 'measureEvery' | 'checkLevel' | 'writeSpeed' | 'maxSize'; min: number; max: number }> = {
  '--write-speed': { key: 'writeSpeed', min: 1, max: 1e6 },
  '--max-size': { key: 'maxSize', min: 1, max: Number.MAX_SAFE_INTEGER },
  '--estimate': { key: 'estimate', min: 1, max: 1 << 20 },
  '--measure-every': { key: 'measureEvery', min: 1, max: 1 << 20 },
  '-d': { key: 'dumpLevel', min: 0, max: 31 },
  '--dump-level': { key: 'dumpLevel', min: 0, max: 31 },
  '--message-level': { key: 'messageLevel', min: 0, max: 31 },
  '--num-threads': { key: 'numThreads', min: 1, max: 256 },
  '--check-level': { key: 'checkLevel', min: 0, max: 31 },
};

/** A usage error: what is wrong with the command line, and where help is. */
export function usage(message: string): VmsieveError {
  return new VmsieveError('E_USAGE', `${message}\nTry 'vmsieve --help'.`);
}

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text)) throw usage(`${flag} needs a number, got ${text === undefined ? 'nothing' : `"${text}"`}`);
  const n = Number(text);
  if (n < min || n > max) throw usage(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A byte count with an optional K, M or G (powers of 1024), as makedumpfile's -L takes it. */
function byteSize(flag: string, text: string | undefined): number {
  const m = text === undefined ? null : /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) throw usage(`${flag} needs a size in bytes (a number, optionally with K, M or G), got ${text === undefined ? 'nothing' : `"${text}"`}`);
  const n = Number(m[1]) * 1024 ** ' KMG'.indexOf((m[2] || ' ').toUpperCase());
  if (!Number.isSafeInteger(n) || n < 4096) throw usage(`${flag} must be at least 4096 bytes, got ${text}`);
  return n;
}

/** START-END: pfns, decimal or 0x-hexadecimal, END excluded. */
function pfnRange(text: string | undefined): { start: number; end: number } {
  const pfn = '(0x[0-9a-f]+|\\d+)';
  const m = text === undefined ? null : new RegExp(`^${pfn}-${pfn}$`, 'i').exec(text);
  const [start, end] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || !Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start >= end)
    throw usage(`--range needs START-END, two pfns with START < END (decimal or 0x…), got ${text === undefined ? 'nothing' : `"${text}"`}`);
  return { start, end };
}

/** makedumpfile's flag grammar; a value follows its flag or is attached to it (-d31, --num-threads=2). */
export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = {
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
    reassemble: false,
    sizeLimit: undefined,
    split: false,
    splitblockSize: undefined,
    codecs: [],
    dumpLevel: undefined,
    messageLevel: undefined,
    numThreads: undefined,
    estimate: undefined,
    measureEvery: undefined,
    symbols: [],
    scanSecrets: false,
    eraseFound: false,
    checkLevel: undefined,
    range: undefined,
    positionals: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const attached = /^(-d)(\d+)$/.exec(a);
    if (name in FLAGS) {
      o[FLAGS[name]] = true;
    } else if (CODEC_FLAGS.has(name)) {
      o.codecs.push(CODEC_FLAGS.get(name)!);
    } else if (name === '--symbol') {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw usage('--symbol needs a NAME or ADDRESS');
      o.symbols.push(value);
    } else if (name in VALUED) {
      const spec = VALUED[name];
      o[spec.key] = integer(name, eq > 0 ? a.slice(eq + 1) : argv[++i], spec.min, spec.max);
    } else if (name === '-L') {
      o.sizeLimit = byteSize('-L', argv[++i]);
    } else if (name === '--range') {
      o.range = pfnRange(eq > 0 ? a.slice(eq + 1) : argv[++i]);
    } else if (name === '--splitblock-size') {
      o.splitblockSize = integer(name, eq > 0 ? a.slice(eq + 1) : argv[++i], 4, 1 << 30) * 1024;
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
