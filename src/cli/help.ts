import { readFileSync } from 'node:fs';

/** The package's own version: package.json sits two levels above src/cli/ and three above build/lib/cli/. */
function packageVersion(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vmsieve' && pkg.version) return pkg.version;
    } catch {
      // not at this depth
    }
  }
  return 'unknown';
}

export const VERSION = `vmsieve ${packageVersion()}`;

/** One option as --help lists it. */
export interface OptionHelp {
  /** As shown, e.g. '-d, --dump-level LEVEL'. */
  names: string;
  text: string;
}

/** One command: the flag that selects it, its usage lines and the options it takes (by their `names`). */
export interface CommandHelp {
  /** The flags that name this command; the first in argv wins, and argv without one writes a dump. */
  flags: string[];
  name: string;
  /** Usage lines, each with what it does. */
  usage: Array<[line: string, does: string]>;
  summary: string;
  options: string[];
}

export const OPTIONS: OptionHelp[] = [
  { names: '-d, --dump-level LEVEL', text: '0-31: 1 zero pages, 2 non-private cache, 4 private cache, 8 user data, 16 free pages' },
  { names: '-c, -l, -p, -z', text: 'compress pages with zlib, LZO, snappy or zstd (default: stored raw)' },
  { names: '-E', text: 'ELF output instead of kdump-compressed' },
  { names: '-F / -R', text: "write / rearrange makedumpfile's flattened format" },
  { names: '-f', text: 'replace an existing output file' },
  { names: '-L SIZE', text: 'stop the kdump output at SIZE bytes (K, M, G), flagged incomplete (as makedumpfile)' },
  { names: '--splitblock-size KiB', text: 'with --split: the pfn block the members are balanced by' },
  { names: '--num-threads N', text: 'compute workers (default: one per core)' },
  { names: '--message-level N', text: 'with bit 16, print the report after writing (as makedumpfile)' },
  { names: '--dry-run', text: 'classify and report, write nothing' },
  { names: '--show-stats', text: 'print the report' },
  { names: '--range START-END', text: 'with --dry-run: the report over pfns START to END (END excluded; decimal or 0x…)' },
  { names: '--analyse', text: 'exact sizes from one pass: every page measured with every codec' },
  { names: '--estimate N', text: 'with --analyse: read one page window in N (a first answer in seconds)' },
  {
    names: '--measure-every N',
    text: 'with --analyse: read every page (page counts, kdump-none and ELF sizes exact)\nbut compress one page in N, one in 4N with zlib and zstd (codec sizes estimated)',
  },
  {
    names: '--advise',
    text: 'predict capture time (read, compress, write) and size for every level and codec,\nrecommend the fastest, print the kdump configuration lines for it',
  },
  { names: '--write-speed MB/s', text: 'with --advise: how fast the dump target writes (default 100: NFS on 1 Gbit/s)' },
  { names: '--max-size BYTES', text: 'with --advise: the largest file allowed' },
  { names: '--dump-dmesg', text: 'write the kernel log as makedumpfile --dump-dmesg does' },
  { names: '--partial-dmesg', text: 'with --dump-dmesg: only the log since the last dmesg -c' },
  {
    names: '--info',
    text: "the dump's facts (release, arch, page size, CPUs, crash time, max pfn, phys_base,\nKASLR offset, paging levels, PT_LOAD segments, holes, registers)",
  },
  {
    names: '--symbol Q',
    text: 'Q = a name (address and size) or an address (name+off/size), +OFF allowed, repeatable;\nfrom the kernel\'s own symbol table in the dump (Linux 6.0+ VMCOREINFO)',
  },
  {
    names: '--check-level LEVEL',
    text: 'list the kernel data/bss symbols, CPU stacks, page tables and per-cpu areas whose\npages LEVEL leaves out (exit 4 when there are any)',
  },
  {
    names: '--scan-secrets',
    text: 'search the pages LEVEL keeps for private keys, password hashes, tokens, passwords\n(secret), e-mail addresses, host names and IPv4 addresses (identifying); masked',
  },
  { names: '--erase-found', text: 'when writing: zero the bytes of every finding --scan-secrets reports (kdump: eraseinfo)' },
  { names: '--json', text: 'one JSON object instead of text' },
  { names: '-h, --help', text: 'this text; after a command, that command only (vmsieve --analyse --help)' },
  { names: '-v, --version', text: 'the version' },
];

export const COMMANDS: CommandHelp[] = [
  {
    flags: ['-E', '-F'],
    name: 'write',
    usage: [
      ['vmsieve [-d LEVEL] [-c|-l|-p|-z] [-f] [--num-threads N] VMCOREFILE DUMPFILE', 'filtered kdump-compressed dump'],
      ['vmsieve -E [-d LEVEL] [-f] VMCOREFILE DUMPFILE', 'filtered ELF dump'],
      ['vmsieve -F [-d LEVEL] [-c|-l|-p|-z] VMCOREFILE > FLATTENED', 'flattened format on standard output'],
    ],
    summary: 'writes the dump filtered at a dump level: kdump-compressed, ELF (-E), or flattened on standard output (-F)',
    options: ['-d, --dump-level LEVEL', '-c, -l, -p, -z', '-E', '-F / -R', '-f', '-L SIZE', '--num-threads N', '--message-level N', '--show-stats', '--erase-found'],
  },
  {
    flags: ['--split'],
    name: 'split',
    usage: [['vmsieve --split [-d LEVEL] [-c|-l|-p|-z] VMCOREFILE DUMPFILE1 DUMPFILE2 ...', 'the dump as a split set']],
    summary: 'writes the filtered dump as a makedumpfile --split set, one file per DUMPFILE',
    options: ['-d, --dump-level LEVEL', '-c, -l, -p, -z', '--splitblock-size KiB', '-f', '--num-threads N'],
  },
  {
    flags: ['--reassemble'],
    name: 'reassemble',
    usage: [['vmsieve --reassemble FILE1 FILE2 ... DUMPFILE', 'a makedumpfile --split set joined into one file']],
    summary: 'joins the files of a makedumpfile --split set into one kdump-compressed file, as makedumpfile --reassemble does',
    options: ['-f'],
  },
  {
    flags: ['-R'],
    name: 'rearrange',
    usage: [['vmsieve -R DUMPFILE < FLATTENED', 'flattened data back to a dump file']],
    summary: 'rebuilds a dump file from flattened data on standard input',
    options: ['-f'],
  },
  {
    flags: ['--dry-run'],
    name: 'dry-run',
    usage: [['vmsieve --dry-run [--show-stats] [--json] [--range START-END] -d LEVEL VMCOREFILE', 'makedumpfile\'s "Excluded pages" report']],
    summary: 'classifies every page and prints makedumpfile\'s "Excluded pages" report; writes nothing',
    options: ['-d, --dump-level LEVEL', '--show-stats', '--json', '--range START-END', '--num-threads N'],
  },
  {
    flags: ['--analyse', '--analyze'],
    name: 'analyse',
    usage: [['vmsieve --analyse [--json] [--estimate N | --measure-every N] VMCOREFILE', 'size of every output at every level']],
    summary: 'prints the size of every output at every dump level, from one pass over the dump',
    options: ['--json', '--estimate N', '--measure-every N', '--num-threads N'],
  },
  {
    flags: ['--advise'],
    name: 'advise',
    usage: [['vmsieve --advise [--json] [--write-speed MB/s] [--max-size BYTES] VMCOREFILE', 'which level and codec to capture with']],
    summary: 'predicts capture time and size for every level and codec, recommends the fastest that fits, and prints the kdump configuration lines for it',
    options: ['--advise', '--json', '--write-speed MB/s', '--max-size BYTES', '--num-threads N'],
  },
  {
    flags: ['--dump-dmesg'],
    name: 'dump-dmesg',
    usage: [['vmsieve --dump-dmesg [--partial-dmesg] [-f] VMCOREFILE LOGFILE', 'the kernel log']],
    summary: 'writes the kernel log as makedumpfile --dump-dmesg does',
    options: ['--partial-dmesg', '-f'],
  },
  {
    flags: ['--info'],
    name: 'info',
    usage: [['vmsieve --info [--json] VMCOREFILE', 'what the dump is']],
    summary: 'prints what the dump is: release, arch, CPUs, crash time, registers, segments',
    options: ['--info', '--json'],
  },
  {
    flags: ['--symbol'],
    name: 'symbol',
    usage: [['vmsieve --symbol NAME|ADDRESS[+OFF] [--symbol ...] [--json] VMCOREFILE', 'kernel symbol lookups (kallsyms)']],
    summary: "looks names and addresses up in the kernel's own symbol table, read from the dump",
    options: ['--symbol Q', '--json'],
  },
  {
    flags: ['--scan-secrets'],
    name: 'scan-secrets',
    usage: [['vmsieve --scan-secrets [--json] -d LEVEL VMCOREFILE', 'secrets and identifying data LEVEL keeps']],
    summary: 'searches every page a dump level keeps for secrets and identifying data and lists them masked; no guarantee',
    options: ['-d, --dump-level LEVEL', '--scan-secrets', '--json', '--num-threads N'],
  },
  {
    flags: ['--check-level'],
    name: 'check-level',
    usage: [['vmsieve --check-level LEVEL [--json] VMCOREFILE', 'what LEVEL leaves out that crash/drgn need']],
    summary: 'lists the kernel objects crash and drgn read that a dump level would leave out',
    options: ['--check-level LEVEL', '--json'],
  },
];

const EXIT_STATUS = `Exit status: 0 success, 1 failure (the message says why), 2 bad usage,
3 the dump was read but has no VMCOREINFO (no page filtering is possible),
4 --check-level: the level leaves out pages a debugger needs, 5 --scan-secrets: the level
keeps secrets, 130 interrupted.
`;

const INPUTS = `VMCOREFILE is an ELF vmcore, a kdump-compressed or flattened file, or the files of one
makedumpfile --split set given together (every command; DUMPFILE or LOGFILE stays the last name).
`;

const COLUMN = 26;
const USAGE_COLUMN = 76;

function optionLines(names: readonly string[]): string {
  return names
    .map((n) => {
      const o = OPTIONS.find((x) => x.names === n);
      if (!o) throw new Error(`help: no option named ${n}`);
      const [first, ...rest] = o.text.split('\n');
      return [`  ${o.names.padEnd(COLUMN - 2)}${first}`, ...rest.map((r) => `${' '.repeat(COLUMN)}${r}`)].join('\n');
    })
    .join('\n');
}

/** The whole help: every command's usage, then every option. */
export function helpText(): string {
  const usage = COMMANDS.flatMap((c) => c.usage.map(([line, does]) => `  ${line.padEnd(USAGE_COLUMN)} ${does}`));
  return `vmsieve — read and filter Linux kernel crash dumps (makedumpfile's flags)

Usage:
${usage.join('\n')}

${INPUTS}
Options:
${optionLines(OPTIONS.map((o) => o.names))}

'vmsieve COMMAND --help' (e.g. vmsieve --analyse --help) shows one command.

${EXIT_STATUS}`;
}

/** The command the first command flag in argv names (argv without one: writing a dump). */
export function commandFor(argv: readonly string[]): CommandHelp {
  for (const a of argv) {
    const name = a.split('=')[0];
    const c = COMMANDS.find((x) => x.flags.includes(name));
    if (c) return c;
  }
  return COMMANDS.find((c) => c.name === 'write')!;
}

/** One command's usage, what it does and its options. */
export function commandHelpText(c: CommandHelp): string {
  return `Usage:
${c.usage.map(([line]) => `  ${line}`).join('\n')}

${c.summary[0].toUpperCase()}${c.summary.slice(1)}.

Options:
${optionLines([...c.options, '-h, --help'])}

${EXIT_STATUS}`;
}

/** `--help` alone: everything; after a command flag: that command. */
export function helpFor(argv: readonly string[]): string {
  const named = argv.some((a) => COMMANDS.some((c) => c.flags.includes(a.split('=')[0])));
  return named ? commandHelpText(commandFor(argv)) : helpText();
}
