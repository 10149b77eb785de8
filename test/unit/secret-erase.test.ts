/**
 * --erase-found on a synthetic dump with planted secrets: libkdumpfile reads the same pages from the erased and the
 * plain kdump output, equal except the findings' bytes, which are zero; the eraseinfo lists them as makedumpfile
 * writes it and makedumpfile --dump-dmesg still reads the file; the ELF output differs from the plain one only there;
 * and the scan of either output finds nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateVmcore } from '../../fixtures/gen/generate.js';
import type { SecretFinding } from '../../src/index.js';
import { readKdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { vmsieve } from '../helpers/cli.js';
import { scanFile } from '../helpers/secret-scan.js';
import { repoRoot } from '../helpers/fixtures.js';
import { hasReaders, PY } from '../helpers/oracle-outputs.js';

const gen = join(repoRoot, '.cache', 'gen');
const input = join(gen, 'secrets-erase-64m.vmcore');
const dir = mkdtempSync(join(tmpdir(), 'vmsieve-erase-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const out = (name: string) => join(dir, name);
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
let found: SecretFinding[];

const scan = async (path: string): Promise<SecretFinding[]> => (await scanFile(path)).findings;

beforeAll(async () => {
  mkdirSync(gen, { recursive: true });
  await generateVmcore(input, { memoryMiB: 64, secrets: true });
  found = await scan(input);
  for (const [name, flags] of [['plain.kdump', []], ['erased.kdump', ['--erase-found']], ['plain.elf', ['-E']], ['erased.elf', ['-E', '--erase-found']]] as const) {
    const r = vmsieve([...flags, '-d', '31', input, out(name)]);
    expect(r.status, r.stderr).toBe(0);
  }
}, 300_000);

describe('--erase-found', () => {
  it('says how many findings it erased, never what they were', () => {
    const r = vmsieve(['--erase-found', '-d', '31', input, out('again.kdump')]);
    expect(r.stdout).toContain(`Erased ${found.length} findings of the secret scan (${found.filter((f) => f.category === 'secret').length} secret`);
    expect(found.length).toBeGreaterThan(10);
  });

  it.skipIf(!hasReaders)('libkdumpfile: every finding zeroed, every other byte of every page as in the plain output', () => {
    const ranges = found.map((f) => `${f.paddr}:${f.length}`);
    const r = spawnSync(PY, [join(repoRoot, 'test/helpers/compare_erased.py'), out('plain.kdump'), out('erased.kdump'), '4096', ...ranges], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { pages: number; identical: number; zeroedBytes: number; problems: string[] };
    expect(result.problems).toEqual([]);
    expect(result.zeroedBytes).toBe(found.reduce((n, f) => n + f.length, 0));
    expect(result.identical).toBe(result.pages - new Set(found.map((f) => f.pfn)).size);
  });

  it("records them in the kdump file's eraseinfo, as makedumpfile's 'erase EXPR size N' lines", async () => {
    const source = await NodeFileSource.open(out('erased.kdump'));
    try {
      const dump = await readKdumpDump(source);
      expect(dump.eraseinfo).toBeDefined();
      const text = new TextDecoder().decode(await source.read(dump.eraseinfo!.offset, dump.eraseinfo!.size));
      expect(text).toBe(found.map((f) => `erase ${f.kind}@0x${f.paddr.toString(16)} size ${f.length}\n`).join(''));
    } finally {
      await source.close();
    }
  });

  it.skipIf(!has('makedumpfile'))('makedumpfile --dump-dmesg reads the erased file: the same records, the erased addresses as NUL bytes', () => {
    const logs = ['plain.kdump', 'erased.kdump'].map((name) => {
      const log = out(`${name}.log`);
      const r = spawnSync('makedumpfile', ['--dump-dmesg', out(name), log], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(log, 'latin1');
    });
    expect(logs[1]!.split('\n').length).toBe(logs[0]!.split('\n').length);
    // The boot log's own e-mail addresses are identifying findings: makedumpfile prints their zeroed bytes escaped.
    expect(logs[1]).toContain('\\x00');
    expect(logs[0]).not.toContain('\\x00');
  });

  it.skipIf(!has('crash'))('crash --osrelease reads the erased file', () => {
    const r = spawnSync('crash', ['--osrelease', out('erased.kdump')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(spawnSync('crash', ['--osrelease', out('plain.kdump')], { encoding: 'utf8' }).stdout.trim());
  });

  it('ELF output: only the findings differ from the plain ELF output, and they are zero', () => {
    const plain = readFileSync(out('plain.elf'));
    const erased = readFileSync(out('erased.elf'));
    expect(erased.length).toBe(plain.length);
    let differing = 0;
    for (let i = 0; i < plain.length; i++) if (plain[i] !== erased[i]) {
      differing++;
      expect(erased[i]).toBe(0);
    }
    expect(differing).toBeGreaterThan(0);
    expect(differing).toBeLessThanOrEqual(found.reduce((n, f) => n + f.length, 0) * 2);
  });

  it('is refused on a kdump-compressed input (exit 1) and beside commands that write no dump (exit 2)', () => {
    const r = vmsieve(['--erase-found', '-d', '31', out('plain.kdump'), out('refiltered.kdump')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('E_UNSUPPORTED');
    expect(vmsieve(['--split', '--erase-found', '-d', '31', input, out('a'), out('b')]).status).toBe(2);
    expect(vmsieve(['--dry-run', '--erase-found', '-d', '31', input]).status).toBe(2);
  });

  it('the scan of either erased output finds nothing', async () => {
    expect(await scan(out('erased.kdump'))).toEqual([]);
    expect(await scan(out('erased.elf'))).toEqual([]);
    expect((await scan(out('plain.kdump'))).length).toBe(found.length);
  });
});
