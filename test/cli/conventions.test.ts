import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { COMMANDS, OPTIONS } from '../../src/cli/help.js';
import { vmsieve } from '../helpers/cli.js';
import { repoRoot } from '../helpers/fixtures.js';
import { sampleCore } from '../helpers/elf-builder.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), 'vmsieve-conventions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('what a Node user expects of a command', () => {
  test('--version and -v print the version in package.json', () => {
    for (const flag of ['--version', '-v']) expect(vmsieve([flag])).toMatchObject({ status: 0, stdout: `vmsieve ${version}\n`, stderr: '' });
  });

  test('--help lists every command and option; after a command it shows that command only', () => {
    const all = vmsieve(['--help']);
    expect(all.status).toBe(0);
    for (const c of COMMANDS) for (const [line] of c.usage) expect(all.stdout).toContain(line);
    for (const o of OPTIONS) expect(all.stdout).toContain(o.names);

    const analyse = vmsieve(['--analyse', '--help']);
    expect(analyse.status).toBe(0);
    expect(analyse.stdout).toContain('vmsieve --analyse [--json] [--estimate N | --measure-every N] VMCOREFILE');
    expect(analyse.stdout).toContain('--measure-every N');
    expect(analyse.stdout).not.toContain('--dump-dmesg');
    expect(analyse.stdout).not.toContain('-d, --dump-level');
    expect(vmsieve(['--help', '--dump-dmesg']).stdout).toMatch(/^Usage:\n {2}vmsieve --dump-dmesg /);
    expect(vmsieve(['-E', '--help']).stdout).toContain('vmsieve -E [-d LEVEL] [-f] VMCOREFILE DUMPFILE');
  });

  test("every command's options are documented options", () => {
    const names = new Set(OPTIONS.map((o) => o.names));
    for (const c of COMMANDS) for (const o of c.options) expect(names, `${c.name}: ${o}`).toContain(o);
  });

  test('an error is one line on stderr, with its code', () => {
    const truncated = join(dir, 'truncated.vmcore');
    writeFileSync(truncated, sampleCore().subarray(0, 40));
    const r = vmsieve(['--info', truncated]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^vmsieve: E_TRUNCATED: truncated\.vmcore is truncated: [^\n]+\n$/);

    const usage = vmsieve(['--frobnicate']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe("vmsieve: E_USAGE: unknown option --frobnicate. Try 'vmsieve --help'.\n");
  });
});
