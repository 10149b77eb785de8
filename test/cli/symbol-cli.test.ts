import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { buildElfCore, prstatusNote, vmcoreinfoNote } from '../helpers/elf-builder.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { readKallsyms, type SymbolTable } from '../../src/kernel/kallsyms/index.js';

const skip = realFixturesSkipReason();

interface JsonResult {
  address: string;
  name: string;
  type: string;
  symbolAddress: string;
  offset: number;
  size: number;
  text: string;
}
interface JsonAnswer {
  query: string;
  error?: string;
  results: JsonResult[];
}

function lookup(vmcore: string, queries: string[]): JsonAnswer[] {
  const r = vmsieve(['--json', ...queries.flatMap((q) => ['--symbol', q]), vmcore]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout).answers;
}

/** The frames of every `Call Trace:` / `Call trace:` block of a kernel log, as `name+0xoff/0xsize`. */
function traceFrames(log: string): string[] {
  const frames = new Set<string>();
  let inTrace = false;
  for (const line of log.split('\n')) {
    // The time, then the caller column where the log has one ("[      T1] ").
    const text = line.replace(/^\[[\s\d.]+\]\s?/, '').replace(/^\[ *[TC]\d+\] /, '');
    if (/^Call [Tt]race:/.test(text)) {
      inTrace = true;
      continue;
    }
    if (!inTrace) continue;
    if (/^\s*<\/?(TASK|IRQ|NMI)>/.test(text)) continue;
    // x86 and arm64 indent their frames; riscv prints "[<address>] name+off/size".
    const m = /^(?:\s+(?:\? )?|\[<[0-9a-f]+>\] )([\w.$]+\+0x[0-9a-f]+\/0x[0-9a-f]+)\s*$/.exec(text);
    if (m) frames.add(m[1]);
    else inTrace = false;
  }
  return [...frames];
}

async function symbolTable(vmcore: string): Promise<SymbolTable> {
  const source = await NodeFileSource.open(vmcore);
  try {
    const dump = await openDump(source);
    const r = await readKallsyms(KernelMemory.open(dump));
    if (!r.ok) throw new Error(r.warning.message);
    return r.kallsyms.table;
  } finally {
    await source.close();
  }
}

/** A small deterministic generator, so a failure names the same symbols on the next run. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe.skipIf(skip)(`vmsieve --symbol on real dumps${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const withTrace = realFixtures().filter((f) => traceFrames(readFileSync(f.dmesgFile, 'latin1')).length > 0);

  it('the kdump fixtures have a call trace to check against', () => {
    expect(withTrace.map((f) => f.name)).toEqual(expect.arrayContaining(['dev-kdump-288m-4l-kaslr', 'next-kdump612-384m-4l-kaslr']));
  });

  it.each(withTrace.map((f) => [f.name, f] as const))('%s: every Call Trace function resolves by name, and name address + offset gives the trace line back', (_n, f) => {
    const frames = traceFrames(readFileSync(f.dmesgFile, 'latin1'));
    const names = frames.map((fr) => fr.slice(0, fr.indexOf('+')));
    const byName = lookup(f.vmcore, names);
    const queries: string[] = [];
    const expected: string[] = [];
    byName.forEach((a, i) => {
      expect(a.error, `${a.query}`).toBeUndefined();
      expect(a.results.length, a.query).toBeGreaterThan(0);
      const offset = frames[i].slice(frames[i].indexOf('+') + 1, frames[i].indexOf('/'));
      for (const r of a.results) {
        queries.push(`${r.symbolAddress}+${offset}`);
        expected.push(frames[i]);
      }
    });
    const byAddress = lookup(f.vmcore, queries);
    // A name several static functions share resolves to each; the trace's frame is one of them.
    frames.forEach((frame) => {
      const got = byAddress.filter((_, i) => expected[i] === frame).map((a) => a.results[0]?.text);
      expect(got, frame).toContain(frame);
    });
  });

  it.each(realFixtures().map((f) => [f.name, f] as const))('%s: 1,000 random symbols round-trip name → address → name', async (_n, f) => {
    const table = await symbolTable(f.vmcore);
    const { start, end } = table.bounds;
    const inImage = table.symbols.filter((s) => s.address >= start && s.address < end && s.name !== '');
    // A kernel built without CONFIG_KALLSYMS_ALL (Debian's ppc64el) lists functions only; Debian's s390x kernel has few
    // drivers built in: 34,724 symbols in all.
    const functionsOnly = table.lookupName('__bss_start').length === 0;
    expect(inImage.length).toBeGreaterThan(functionsOnly || f.arch === 's390x' ? 30_000 : 50_000);
    const rand = lcg(14);
    const picked = Array.from({ length: 1000 }, () => inImage[Math.floor(rand() * inImage.length)]);
    const byName = lookup(f.vmcore, picked.map((s) => s.name));
    const addresses = byName.map((a, i) => {
      const mine = a.results.find((r) => BigInt(r.address) === picked[i].address);
      expect(mine, picked[i].name).toBeDefined();
      return mine!.address;
    });
    const back = lookup(f.vmcore, addresses);
    back.forEach((a, i) => {
      const s = picked[i];
      const r = a.results[0];
      expect(BigInt(r.symbolAddress)).toBe(s.address);
      expect(r.offset).toBe(0);
      // Aliases (several names at one address) print as the first of them in kallsyms order, as the kernel does.
      const first = table.symbols.find((t) => t.address === s.address);
      expect(r.name, s.name).toBe(first!.name);
    });
    const aliased = picked.filter((s) => table.symbols.find((t) => t.address === s.address) !== s).length;
    expect(aliased).toBeLessThan(100);
  });

  it.each(realFixtures().map((f) => [f.name, f] as const))('%s: --info names the crashing CPU’s instruction pointer', (_n, f) => {
    const r = vmsieve(['--info', '--json', f.vmcore]);
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    const cpu = info.cpuRegisters[info.crashingCpu ?? 0];
    const ip: string = info.crashingIp ?? cpu.registers[info.ipRegister];
    const ipName: string = info.crashingIpSymbol ?? cpu.symbols[info.ipRegister];
    expect(ipName).toMatch(/^[\w.]+\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
    const [answer] = lookup(f.vmcore, [ip]);
    expect(answer.results[0].text).toBe(ipName);
    expect('tT').toContain(answer.results[0].type);
    expect(info.warnings.filter((w: { code: string }) => w.code === 'W_NO_KALLSYMS')).toEqual([]);
    const text = vmsieve(['--info', f.vmcore]).stdout;
    expect(text).toContain(`${ip} ${ipName}`);
  });

  it('text output: address, type and name+off/size per answer; an unknown name fails with a message', () => {
    const f = withTrace[0];
    const r = vmsieve(['--symbol', 'sysrq_handle_crash+0x16', '--symbol', 'no_such_symbol_anywhere', f.vmcore]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^[0-9a-f]{16} t sysrq_handle_crash\+0x16\/0x20\n$/);
    expect(r.stderr).toMatch(/no_such_symbol_anywhere: no kernel symbol is named no_such_symbol_anywhere/);
  });
});

describe('vmsieve --symbol without a symbol table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmsieve-sym-'));
  const page = new Uint8Array(4096);
  const core = join(dir, 'no-kallsyms.vmcore');
  writeFileSync(
    core,
    buildElfCore({
      notes: [prstatusNote(), vmcoreinfoNote('OSRELEASE=5.15.0\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff82a10000\nNUMBER(phys_base)=0\n')],
      loads: [{ paddr: 0, data: page }],
    }),
  );

  it('--symbol says why once and exits 1', () => {
    const r = vmsieve(['--symbol', 'panic', core]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/No kernel symbol names: kernel 5\.15\.0 predates 6\.0/);
    expect(r.stderr.match(/No kernel symbol names/g)).toHaveLength(1);
  });

  it('--info warns once and keeps the raw address', () => {
    const r = vmsieve(['--info', '--json', core]);
    const info = JSON.parse(r.stdout);
    expect(info.warnings.filter((w: { code: string }) => w.code === 'W_NO_KALLSYMS')).toHaveLength(1);
    expect(info.cpuRegisters[0].symbols).toBeUndefined();
    expect(info.crashingIp).toBe('0xffffffff81000000');
  });
});
