import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { buildElfCore, prstatusNote, vmcoreinfoNote } from '../helpers/elf-builder.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';
import { PAGE_OFFSET, PhysImage, symbolLines } from '../helpers/memory-dump.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const status = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { status, stdout, stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'vmsieve-dmesg-'));
const skip = realFixturesSkipReason();

describe.skipIf(!!skip)(`vmsieve --dump-dmesg on real dumps${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(realFixtures().map((f) => [f.name, f] as const))('%s: LOGFILE is byte-identical to makedumpfile 1.7.2', async (_name, f) => {
    const dir = tmp();
    const out = join(dir, 'dmesg.txt');
    const r = await run(['--dump-dmesg', f.vmcore, out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`\nThe dmesg log is saved to ${out}.\n`);
    expect(readFileSync(out).equals(readFileSync(f.dmesgFile))).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['dmesg.txt']); // no temporary file left behind
  });

  it('refuses to overwrite LOGFILE unless -f, as makedumpfile does', async () => {
    const f = realFixtures()[0];
    const dir = tmp();
    const out = join(dir, 'dmesg.txt');
    writeFileSync(out, 'keep me');
    const r = await run(['--dump-dmesg', f.vmcore, out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/exists.*-f/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    const forced = await run(['--dump-dmesg', '-f', f.vmcore, out]);
    expect(forced.status).toBe(0);
    expect(readFileSync(out).equals(readFileSync(f.dmesgFile))).toBe(true);
    expect(readdirSync(dir)).toEqual(['dmesg.txt']);
  });

  it('--partial-dmesg (clear_seq is 0 in these dumps: the whole log, as makedumpfile 1.7.2 gives)', async () => {
    const f = realFixtures()[0];
    const out = join(tmp(), 'p.txt');
    const r = await run(['--partial-dmesg', '--dump-dmesg', f.vmcore, out]);
    expect(r.status).toBe(0);
    expect(readFileSync(out).equals(readFileSync(f.dmesgFile))).toBe(true);
  });
});

describe('vmsieve --dump-dmesg usage', () => {
  it('needs VMCOREFILE and LOGFILE; --partial-dmesg needs --dump-dmesg; not with --dry-run', async () => {
    expect((await run(['--dump-dmesg', 'a'])).status).toBe(2);
    expect((await run(['--partial-dmesg', 'a', 'b'])).stderr).toMatch(/needs --dump-dmesg/);
    expect((await run(['--dump-dmesg', '--dry-run', 'a', 'b'])).stderr).toMatch(/--dry-run cannot be used with --dump-dmesg/);
  });

  it('a missing input fails without creating LOGFILE', async () => {
    const out = join(tmp(), 'x.txt');
    const r = await run(['--dump-dmesg', join(tmp(), 'nope.vmcore'), out]);
    expect(r.status).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
});

describe('vmsieve --dump-dmesg on a synthetic pre-5.10 ELF vmcore', () => {
  /** An ELF core whose one PT_LOAD maps a small physical image at the direct map, holding a log_buf. */
  function legacyCore(cycle: boolean): Uint8Array {
    const img = new PhysImage(1 << 16);
    const buf = img.alloc(128);
    const vars = img.alloc(32, 8);
    img.u64(vars, buf);
    img.i32(vars + 8n, 128);
    img.u32(vars + 16n, 0); // log_first_idx
    img.u32(vars + 20n, cycle ? 100 : 48); // log_next_idx
    const rec = (at: number, text: string, sec: number) => {
      const b = new Uint8Array(24);
      const v = new DataView(b.buffer);
      v.setBigUint64(0, BigInt(sec) * 1_000_000_000n, true);
      v.setUint16(8, 24, true);
      v.setUint16(10, text.length, true);
      v.setUint8(15, 6 << 5);
      b.set(new TextEncoder().encode(text), 16);
      img.set(buf + BigInt(at), b);
    };
    rec(0, 'hello', 1);
    rec(24, 'world', 2);
    // With `cycle`, next_idx (100) is never reached: the empty record at 48 is a wrap marker, which prints record 0
    // and continues at record 0's successor, 24. makedumpfile prints the cycle once (hello, world, hello) and fails.
    const info =
      `OSRELEASE=5.4.0-test\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff82a0a000\nNUMBER(phys_base)=0\n` +
      symbolLines({ log_buf: vars, log_buf_len: vars + 8n, log_first_idx: vars + 16n, log_next_idx: vars + 20n }) +
      'SIZE(printk_log)=16\nOFFSET(printk_log.ts_nsec)=0\nOFFSET(printk_log.len)=8\nOFFSET(printk_log.text_len)=10\n';
    return buildElfCore({ notes: [prstatusNote(), vmcoreinfoNote(info)], loads: [{ paddr: 0, vaddr: PAGE_OFFSET, data: img.bytes }] });
  }

  it('writes the records', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'core'), legacyCore(false));
    const r = await run(['--dump-dmesg', join(dir, 'core'), join(dir, 'log')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'log'), 'latin1')).toBe('[    1.000000] hello\n[    2.000000] world\n');
  });

  it('a corrupt log_buf: the records before the corruption are written, and the command fails', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'core'), legacyCore(true));
    const r = await run(['--dump-dmesg', join(dir, 'core'), join(dir, 'log')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Cycle when parsing dmesg detected/);
    expect(readFileSync(join(dir, 'log'), 'latin1')).toBe('[    1.000000] hello\n[    2.000000] world\n[    1.000000] hello\n');
  });
});
