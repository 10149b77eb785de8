import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, createReadStream, existsSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli/main.js';
import { NodeFileSource, openVmcore, VmsieveError, type ByteSink } from '../../src/index.js';
import { NodeFileSink } from '../../src/io/node-sink.js';
import { realFixtures, realFixturesSkipReason, repoRoot } from '../helpers/fixtures.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'vmsieve-outputs-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function run(argv: string[], extra: Partial<CliIo> = {}) {
  let stdout = '';
  let stderr = '';
  const status = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), ...extra });
  return { status, stdout, stderr };
}

const mode = (path: string) => statSync(path).mode & 0o777;
const bin = join(repoRoot, 'bin/vmsieve.js');

describe('the Node file sink', () => {
  it('never replaces a target that appears while the file is written (the name is taken exclusively at close)', async () => {
    const dir = tmp();
    const target = join(dir, 'out.kdump');
    const sink = await NodeFileSink.create(target);
    await sink.write(0, new Uint8Array([1, 2, 3]));
    writeFileSync(target, 'the user file');
    await expect(sink.close()).rejects.toMatchObject({ code: 'E_EXISTS' });
    expect(readFileSync(target, 'utf8')).toBe('the user file');
    expect(readdirSync(dir)).toEqual(['out.kdump']);
  });

  it('a scratch file gets a fresh name, created exclusively, and is removed on abort', async () => {
    const dir = tmp();
    const a = await NodeFileSink.scratch(dir);
    const b = await NodeFileSink.scratch(dir);
    expect(a.target).not.toBe(b.target);
    expect(mode(a.target)).toBe(0o600);
    await a.abort();
    await b.close();
    expect(readdirSync(dir)).toEqual([b.name]);
  });
});

const skip = realFixturesSkipReason();

describe.skipIf(!!skip)(`where vmsieve writes its outputs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const fixtures = skip ? [] : realFixtures();
  const small = fixtures.reduce((a, b) => (statSync(a.vmcore).size <= statSync(b.vmcore).size ? a : b), fixtures[0]!);
  /** The dump under a name in a fresh folder (a symbolic link: whatever a test does there, the fixture stays). */
  const inputIn = (dir: string) => {
    const input = join(dir, 'in.vmcore');
    symlinkSync(small.vmcore, input);
    return input;
  };

  it('creates DUMPFILE 0600, and -f over a file never widens its mode', async () => {
    const dir = tmp();
    const input = inputIn(dir);
    const out = join(dir, 'out.kdump');
    expect((await run(['-d', '31', '-c', input, out])).status).toBe(0);
    expect(mode(out)).toBe(0o600);
    expect((await run(['-f', '-d', '31', '-c', input, out])).status).toBe(0);
    expect(mode(out)).toBe(0o600);
    chmodSync(out, 0o644);
    expect((await run(['-f', '-d', '31', '-c', input, out])).status).toBe(0);
    expect(mode(out)).toBe(0o600);
    chmodSync(out, 0o400);
    expect((await run(['-f', '-E', '-d', '31', input, out])).status).toBe(0);
    expect(mode(out)).toBe(0o400);
  });

  it('a symbolic link at DUMPFILE is never written through: refused without -f, replaced itself with -f', async () => {
    const dir = tmp();
    const input = inputIn(dir);
    const out = join(dir, 'out.kdump');
    const pointedAt = join(dir, 'elsewhere');
    symlinkSync(pointedAt, out);
    const refused = await run(['-d', '31', '-c', input, out]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/E_EXISTS: .*exists/);
    expect(readlinkSync(out)).toBe(pointedAt);
    expect(existsSync(pointedAt)).toBe(false);
    expect((await run(['-f', '-d', '31', '-c', input, out])).status).toBe(0);
    expect(lstatSync(out).isFile()).toBe(true);
    expect(existsSync(pointedAt)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['in.vmcore', 'out.kdump']);
  });

  describe('an output that is the input is refused by every command that writes, -f or not', () => {
    const refusedWithInputKept = async (argv: (dir: string, input: string, other: string) => string[], extra?: (input: string) => Partial<CliIo>) => {
      const dir = tmp();
      const input = inputIn(dir);
      // Another name of the same file: refused by what it is, not only by its path.
      const other = join(dir, 'same.vmcore');
      symlinkSync(small.vmcore, other);
      const r = await run(argv(dir, input, other), extra?.(input));
      expect(r.stderr).toMatch(/E_USAGE: .* is the input/);
      expect(r.status).toBe(2);
      expect(readlinkSync(input)).toBe(small.vmcore);
      expect(readlinkSync(other)).toBe(small.vmcore);
      expect(readdirSync(dir).sort()).toEqual(['in.vmcore', 'same.vmcore']);
    };
    it('export and -E', async () => {
      await refusedWithInputKept((_d, input) => ['-f', '-d', '31', '-c', input, input]);
      await refusedWithInputKept((_d, input, other) => ['-f', '-E', '-d', '31', input, other]);
    });
    it('--dump-dmesg -f onto the input file', async () => {
      await refusedWithInputKept((_d, input) => ['--dump-dmesg', '-f', input, input]);
    });
    it('a --split member', async () => {
      await refusedWithInputKept((d, input, other) => ['--split', '-f', '-d', '31', input, join(d, 'm1'), other]);
    });
    it('--reassemble', async () => {
      await refusedWithInputKept((_d, input, other) => ['--reassemble', '-f', input, other, input]);
    });
    it('-R reading the file it would write', async () => {
      await refusedWithInputKept((_d, input) => ['-R', '-f', input], (input) => ({ stdinStream: createReadStream(input, { fd: openSync(input, 'r') }) }));
    });
  });

  it('--split checks every member before writing any, and never touches a file named like the old scratch file', async () => {
    const dir = tmp();
    const input = inputIn(dir);
    const [m1, m2, m3] = ['m1', 'm2', 'm3'].map((m) => join(dir, m));
    writeFileSync(m3, 'keep me');
    const exists = await run(['--split', '-d', '31', input, m1, m2, m3]);
    expect(exists.status).toBe(1);
    expect(exists.stderr).toMatch(/E_EXISTS: cannot write .*m3/);
    expect(readdirSync(dir).sort()).toEqual(['in.vmcore', 'm3']);
    const twice = await run(['--split', '-d', '31', input, m1, m2, m1]);
    expect(twice.stderr).toMatch(/E_USAGE: .*m1 is given twice/);
    expect(readdirSync(dir).sort()).toEqual(['in.vmcore', 'm3']);

    writeFileSync(`${m1}.vmsieve-whole`, 'a user file');
    const done = await run(['--split', '-f', '-d', '31', '-c', input, m1, m2, m3]);
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    expect(readFileSync(`${m1}.vmsieve-whole`, 'utf8')).toBe('a user file');
    expect(readdirSync(dir).sort()).toEqual(['in.vmcore', 'm1', 'm1.vmsieve-whole', 'm2', 'm3']);
    for (const m of [m1, m2, m3]) expect(mode(m)).toBe(0o600);
  });

  it('a --split member that fails leaves none of the members before it', async () => {
    const dir = tmp();
    const vmcore = await openVmcore(small.vmcore);
    try {
      const scratch = await NodeFileSink.scratch(dir);
      const failing: ByteSink = { name: 'm2', write: async () => Promise.reject(new VmsieveError('E_IO', 'disk full')), close: async () => undefined, abort: async () => undefined };
      const split = vmcore.split({
        level: 31,
        members: 2,
        scratch: { sink: scratch, open: () => NodeFileSource.open(scratch.target) },
        openMember: async (i) => (i === 0 ? NodeFileSink.create(join(dir, 'm1')) : failing),
      });
      await expect(split).rejects.toThrow('disk full');
      expect(readdirSync(dir)).toEqual([scratch.name]);
    } finally {
      await vmcore.close();
    }
  });

  it('-F with standard output closed fails and says so', () => {
    const r = spawnSync('sh', ['-c', `exec "${process.execPath}" "${bin}" -F -d 31 "${small.vmcore}" >&-`], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/E_IO: .*standard output is closed/);
    expect(r.stderr).not.toMatch(/written/);
    expect(r.status).toBe(1);
  });

  it('-F into a pipe that breaks fails and says so', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" -F -d 31 "${small.vmcore}" | head -c 1 > /dev/null`], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/E_IO: cannot write stdout: .*EPIPE/);
    expect(r.stderr).not.toMatch(/written/);
    expect(r.status).toBe(1);
  });

  /** The export runs in its own process, stopped by `sig` once pages are being written (its partial file passed 16 MiB). */
  async function interrupted(args: readonly string[], outputs: readonly string[], sig: NodeJS.Signals) {
    const dir = tmp();
    const big = fixtures.reduce((a, b) => (statSync(a.vmcore).size >= statSync(b.vmcore).size ? a : b));
    const child = spawn(process.execPath, [bin, ...args, big.vmcore, ...outputs.map((o) => join(dir, o))], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const writing = () => readdirSync(dir).some((f) => (f.includes('.partial-') || f.startsWith('.vmsieve-scratch-')) && (statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0) > 16 << 20);
    let started = false;
    for (let i = 0; i < 6000 && !started && child.exitCode === null; i++) {
      started = writing();
      if (!started) await new Promise((r) => setTimeout(r, 5));
    }
    expect(started, 'pages were being written before the export ended').toBe(true);
    child.kill(sig);
    const code = await exited;
    return { code, stderr, left: readdirSync(dir) };
  }

  it.each([
    ['-d 0 (uncompressed kdump)', 'SIGINT', ['-d', '0']],
    ['-d 0 (uncompressed kdump)', 'SIGTERM', ['-d', '0']],
    ['-E', 'SIGINT', ['-E', '-d', '0']],
    ['-E', 'SIGTERM', ['-E', '-d', '0']],
    ['-d 0 -c', 'SIGINT', ['-d', '0', '-c']],
    ['--split -d 0', 'SIGTERM', ['--split', '-d', '0'], ['m1', 'm2']],
  ] as const)('%s stops on %s, exits 130 and leaves nothing', async (_what, sig, args, outputs: readonly string[] = ['out']) => {
    const r = await interrupted(args, outputs, sig);
    expect(r.stderr).toMatch(`E_CANCELLED: interrupted by ${sig}`);
    expect(r.code).toBe(130);
    expect(r.left).toEqual([]);
  });
});
