import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, link, open as openFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { isVmsieveError, VmsieveError } from '../errors.js';
import { readDmesg } from '../kernel/dmesg/index.js';
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

/**
 * Writes `data` to `path` through a temporary file in the same directory, renamed into place, so a reader never sees
 * a half-written file. Without `force` an existing file is never replaced (makedumpfile opens with O_EXCL unless -f):
 * the temporary file is hard-linked to `path`, which fails if `path` exists.
 */
export async function writeFileAtomic(path: string, data: Uint8Array, force: boolean): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.vmsieve-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fh = await openFile(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  try {
    if (force) {
      await rename(tmp, path);
      return;
    }
    try {
      await link(tmp, path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw exists(path);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
      // A filesystem without hard links: check, then rename (a tiny race, as with any non-O_EXCL tool).
      if (await pathExists(path)) throw exists(path);
      await rename(tmp, path);
      return;
    }
    await unlink(tmp);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

function exists(path: string): VmsieveError {
  return new VmsieveError('E_EXISTS', `cannot write ${path}: the file exists (give -f to overwrite it)`, { path });
}

async function pathExists(path: string): Promise<boolean> {
  return access(path, fsConstants.F_OK).then(
    () => true,
    () => false,
  );
}

/** makedumpfile --dump-dmesg [--partial-dmesg] [-f] VMCOREFILE LOGFILE. */
async function dumpDmesg(o: CliOptions, io: CliIo): Promise<number> {
  if (o.dryRun) {
    io.stderr(`vmsieve: --dry-run cannot be used with --dump-dmesg\nTry 'vmsieve --help'.\n`);
    return EXIT_USAGE;
  }
  if (o.positionals.length !== 2) {
    io.stderr(`vmsieve: --dump-dmesg takes VMCOREFILE LOGFILE\nTry 'vmsieve --help'.\n`);
    return EXIT_USAGE;
  }
  const [input, output] = o.positionals;
  // Like makedumpfile's check_dump_file: refuse before reading anything.
  if (!o.force && (await pathExists(output))) throw exists(output);
  const source = await NodeFileSource.open(input);
  let result;
  try {
    result = await readDmesg(await openDump(source), { partial: o.partialDmesg });
  } finally {
    await source.close();
  }
  // Written even when the log_buf walk stopped on corruption, as makedumpfile leaves what it wrote.
  await writeFileAtomic(output, Buffer.from(result.log, 'latin1'), o.force);
  for (const w of result.warnings) io.stderr(`vmsieve: ${w.message}\n`);
  if (!result.complete) {
    io.stderr(`vmsieve: the kernel log in ${input} is corrupt; ${output} holds the records read before the corruption\n`);
    return EXIT_FAILED;
  }
  io.stdout(`\nThe dmesg log is saved to ${output}.\n`);
  return EXIT_OK;
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
    if (o.partialDmesg && !o.dumpDmesg) {
      io.stderr(`vmsieve: --partial-dmesg needs --dump-dmesg\nTry 'vmsieve --help'.\n`);
      return EXIT_USAGE;
    }
    if (o.dumpDmesg) return await dumpDmesg(o, io);
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
