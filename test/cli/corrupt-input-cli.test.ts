import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateVmcore } from '../../fixtures/gen/generate.js';
import { runCli } from '../../src/cli/main.js';

/** The report: a corrupted VMCOREINFO value ended --info with a RangeError and a stack trace. */

const dir = mkdtempSync(join(tmpdir(), 'vmsieve-corrupt-'));
let base: Buffer;
beforeAll(async () => {
  await generateVmcore(join(dir, 'base.vmcore'), { memoryMiB: 32, seed: 3 });
  base = readFileSync(join(dir, 'base.vmcore'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const status = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { status, stdout, stderr };
}

/** The vmcore with one VMCOREINFO line's value replaced in place (padded with spaces, which the reader trims). */
function withValue(key: string, value: string): string {
  const at = base.indexOf(`\n${key}=`);
  expect(at, key).toBeGreaterThan(0);
  const start = at + key.length + 2;
  const end = base.indexOf('\n', start);
  expect(value.length, `${key}: the value must fit in place`).toBeLessThanOrEqual(end - start);
  const copy = Buffer.from(base);
  copy.write(value.padEnd(end - start, ' '), start, 'latin1');
  const path = join(dir, `${key.replace(/\W/g, '_')}-${value.replace(/\W/g, '_')}.vmcore`);
  writeFileSync(path, copy);
  return path;
}

describe('corrupt VMCOREINFO values give a specific message, never a stack trace', () => {
  it.each([
    ['SIZE(page)', '0', /SIZE\(page\)=0 is out of range|SIZE\(page\)=0 is not a struct page size/],
    ['SIZE(page)', '6.', /SIZE\(page\) has an unreadable value "6\."/],
    ['NUMBER(SECTION_SIZE_BITS)', '99', /NUMBER\(SECTION_SIZE_BITS\)=99 is not a memory section shift/],
    ['NUMBER(MAX_PHYSMEM_BITS)', '0', /NUMBER\(MAX_PHYSMEM_BITS\)=0 is not a physical address width/],
    ['SIZE(mem_section)', '31', /SIZE\(mem_section\)=31 is not a struct mem_section size/],
  ])('--info with %s=%s', async (key, value, message) => {
    const r = await run(['--info', '--json', withValue(key, value)]);
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    const w = info.warnings.find((x: { code: string }) => x.code === 'E_BAD_VMCOREINFO');
    expect(w?.message).toMatch(message);
    expect(r.stdout + r.stderr).not.toMatch(/RangeError|    at /);
  });

  it.each([
    ['PAGESIZE', '0', /PAGESIZE=0 is not a page size/],
    ['PAGESIZE', '1', /PAGESIZE=1 is not a page size/],
  ])('every command refuses %s=%s with exit status 1', async (key, value, message) => {
    const path = withValue(key, value);
    for (const argv of [['--info', path], ['--dry-run', '-d', '31', path], ['--dump-dmesg', path, join(dir, 'log')]]) {
      const r = await run(argv);
      expect(r.status, argv.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/RangeError|    at /);
    }
  });

  it('a 1 MiB page size is refused too', async () => {
    const copy = Buffer.from(base);
    const at = base.indexOf('\nPAGESIZE=4096\n');
    // PAGESIZE=4096 → PAGESIZE=1048576 needs 3 more bytes: take them from the key before it.
    const before = base.lastIndexOf('\n', at - 1);
    const line = `PAGESIZE=1048576`;
    copy.write(`${'X'.repeat(at - before - 1 - 3)}\n${line}`, before + 1, 'latin1');
    const path = join(dir, 'page-1m.vmcore');
    writeFileSync(path, copy);
    const r = await run(['--info', path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/PAGESIZE=1048576 is not a page size/);
  });
});
