import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVmsieveError } from '../../src/errors.js';
import { classifyDump, type ClassifyResult } from '../../src/filter/classify-dump.js';
import { classOutcome, Outcome } from '../../src/filter/dump-level.js';
import { keepCheck } from '../../src/filter/keep-check.js';
import type { Dump } from '../../src/model/dump.js';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { cpuRegistersFromNotes } from '../../src/kernel/crash-context.js';
import { debuggerNeeds, type DebuggerNeeds } from '../../src/kernel/debugger-needs.js';
import { readKallsyms, type SymbolTable } from '../../src/kernel/kallsyms/index.js';
import type { Riscv64Translator } from '../../src/kernel/riscv64/translate.js';
import type { X86_64Translator } from '../../src/kernel/x86_64/translate.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { instantiateKernels } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { vmsieve } from '../helpers/cli.js';
import { realFixtures, realFixturesSkipReason, type RealFixture } from '../helpers/fixtures.js';

const skip = realFixturesSkipReason();
const LEVELS = [0, 1, 2, 4, 8, 16, 31];
/** Code of a free (buddy) page with no other class in the class map (dump-level.ts: f*18 + r, f = 1). */
const FREE_CODE = 18;
/** nm letters of the data a debugger reads, as in src/kernel/debugger-needs.ts. */
const DATA_TYPES = 'dDbBrR';
const SECTION_MARKERS = ['__start_rodata', '__end_rodata', '_sdata', '_edata', '__bss_start', '__bss_stop'];

interface Opened {
  source: NodeFileSource;
  dump: Dump;
  table: SymbolTable;
  classified: ClassifyResult;
  needs: DebuggerNeeds;
}

async function open(f: RealFixture): Promise<Opened> {
  const source = await NodeFileSource.open(f.vmcore);
  const dump = await openDump(source);
  const km = KernelMemory.open(dump);
  const ks = await readKallsyms(km);
  if (!ks.ok) throw new Error(ks.warning.message);
  const kernels = await instantiateKernels(await nodeWasmModule());
  const classified = await classifyDump(dump, km, kernels, { zeroScan: false });
  const needs = await debuggerNeeds(km, ks.kallsyms.table, cpuRegistersFromNotes(dump));
  return { source, dump, table: ks.kallsyms.table, classified, needs };
}

/** The reference: each data symbol on its own, its address translated afresh, its pfn's class looked up at the level. */
async function bruteForce(o: Opened, classMap: Uint8Array, level: number) {
  const km = KernelMemory.open(o.dump);
  const first = (n: string) => o.table.lookupName(n)[0].address;
  const live = [
    [first('__start_rodata'), first('__end_rodata')],
    [first('_sdata'), first('_edata')],
    [first('__bss_start'), first('__bss_stop')],
  ];
  const freed = o.table.lookupName('__start_bss_decrypted_unused').map((s) => [s.address, first('__end_bss_decrypted')]);
  const inAny = (a: bigint, rs: bigint[][]) => rs.some(([s, e]) => a >= s && a < e);
  const dropped: string[] = [];
  const droppedElsewhere: string[] = [];
  const pfns = new Map<string, number>();
  for (const s of o.table.symbols) {
    if (!DATA_TYPES.includes(s.type) || s.address < o.table.bounds.start || s.address >= o.table.bounds.end) continue;
    const phys = await km.virtToPhys(s.address).catch((e: unknown) => {
      // An address the kernel's own tables do not map cannot be read by a debugger either (the check skips it too).
      if (isVmsieveError(e) && e.code === 'E_TRANSLATE') return undefined;
      throw e;
    });
    if (phys === undefined) continue;
    const pfn = Math.floor(phys / o.dump.pageSize);
    const key = `${s.name}@${s.address.toString(16)}`;
    const out = classOutcome(classMap[pfn], level);
    const isLive = inAny(s.address, live) && !inAny(s.address, freed);
    if (isLive) pfns.set(key, pfn);
    if (out === Outcome.Kept) continue;
    (isLive ? dropped : droppedElsewhere).push(key);
  }
  return { dropped: dropped.sort(), droppedElsewhere, pfns };
}

const symbolKeys = (pages: DebuggerNeeds['pages']) =>
  pages.filter((p) => p.kind === 'symbol').map((p) => `${p.what}@${p.address!.toString(16)}`).sort();

describe.skipIf(skip)(`the keep check on real dumps${skip ? ` (skipped: ${skip})` : ''}`, () => {
  describe.each(realFixtures().map((f) => [f.name, f] as const))('%s', (_n, f) => {
    let o: Opened;
    beforeAll(async () => {
      o = await open(f);
    });
    afterAll(async () => {
      await o?.source.close();
    });
    const hasDataSymbols = () => SECTION_MARKERS.every((n) => o.table.lookupName(n).length > 0);
    /** Kernels built without CONFIG_KALLSYMS_ALL (Debian's arm64 6.1) name neither their data nor its sections. */
    const needDataSymbols = (ctx: { skip: (note?: string) => never }) => {
      if (!hasDataSymbols()) ctx.skip(`${f.name}: kallsyms lacks the section markers (${SECTION_MARKERS.join(', ')}): a kernel built without CONFIG_KALLSYMS_ALL`);
    };

    it('finds the same pfn for every live data symbol as translating each one alone', async (ctx) => {
      needDataSymbols(ctx);
      const ref = await bruteForce(o, o.classified.classMap, 31);
      const found = new Map(o.needs.pages.filter((p) => p.kind === 'symbol').map((p) => [`${p.what}@${p.address!.toString(16)}`, p.pfn]));
      expect(found.size).toBeGreaterThan(30_000);
      expect(found).toEqual(ref.pfns);
    });

    it.for(LEVELS)('agrees with the brute-force reference at -d %i', async (level, ctx) => {
      needDataSymbols(ctx);
      const ref = await bruteForce(o, o.classified.classMap, level);
      expect(symbolKeys(keepCheck(o.needs, o.classified.classMap, level).dropped)).toEqual(ref.dropped);
    });

    it('at -d 31 the only data symbols on excluded pages are in memory the kernel freed after boot', async (ctx) => {
      needDataSymbols(ctx);
      const ref = await bruteForce(o, o.classified.classMap, 31);
      expect(ref.dropped).toEqual([]);
      expect(keepCheck(o.needs, o.classified.classMap, 31).dropped).toEqual([]);
      // What the section filter is for: init data such as boot_command_line sits in freed, reused pages.
      // (On x86_64 dumps; on the 16 KiB arm64 one every symbol outside the live sections is unmapped or on a kept page.)
      if (o.dump.arch.name === 'x86_64') expect(ref.droppedElsewhere.length).toBeGreaterThan(0);
    });

    it('reports every needed object on a page the level would drop, with the class that drops it', async (ctx) => {
      needDataSymbols(ctx);
      const idt = o.table.lookupName('idt_table')[0] ?? o.table.lookupName('init_task')[0];
      const pfn = o.needs.pages.find((p) => p.what === idt.name)!.pfn;
      const map = o.classified.classMap.slice();
      map[pfn] = FREE_CODE;
      const ref = await bruteForce(o, map, 16);
      const c = keepCheck(o.needs, map, 16);
      expect(symbolKeys(c.dropped)).toEqual(ref.dropped);
      expect(c.dropped.map((d) => d.what)).toContain(idt.name);
      expect(new Set(c.dropped.map((d) => d.reason))).toEqual(new Set(['free']));
      expect(c.dropped.every((d) => d.pfn === pfn)).toBe(true);
      expect(keepCheck(o.needs, map, 15).dropped).toEqual([]);
    });

    const stackBase = () => o.dump.arch.kernelStackPointer(cpuRegistersFromNotes(o.dump)[0])! & ~0x3fffn;

    it('checks each CPU’s kernel stack and every per-cpu area', async (ctx) => {
      needDataSymbols(ctx);
      const km = KernelMemory.open(o.dump);
      const base = stackBase();
      const ps = o.dump.pageSize;
      const stackPages = Array.from({ length: Math.max(1, 0x4000 / ps) }, (_, i) => BigInt(i * ps));
      const expected = await Promise.all(stackPages.map(async (off) => Math.floor((await km.virtToPhys(base + off)) / ps)));
      expect(o.needs.pages.filter((p) => p.what === 'CPU 0 stack').map((p) => p.pfn)).toEqual(expected);

      const first = (n: string) => o.table.lookupName(n)[0].address;
      const nrCpus = new DataView((await km.readVirt(first('nr_cpu_ids'), 4)).buffer).getUint32(0, true);
      const areaPages = Number((first('__per_cpu_end') - first('__per_cpu_start') + BigInt(ps - 1)) / BigInt(ps));
      expect(o.needs.pages.filter((p) => p.kind === 'per-cpu')).toHaveLength(nrCpus * areaPages);
      expect(o.needs.warnings).toEqual([]);
    });

    it.skipIf(f.arch !== 'x86_64')('lists every x86_64 page table on the way to idt_table, the stack and a per-cpu page', async () => {
      const km = KernelMemory.open(o.dump);
      const base = stackBase();

      const tables = new Set(o.needs.pages.filter((p) => p.kind === 'page-table').map((p) => p.pfn));
      const paging = (km.translator as X86_64Translator).paging;
      expect(tables.has(Number(paging.rootTablePhys / 4096n))).toBe(true);
      // Walk by hand to the idt_table, the stack and a per-cpu page: every table on the way is in the list.
      const percpu = o.needs.pages.find((p) => p.kind === 'per-cpu')!.address!;
      for (const va of [o.table.lookupName('idt_table')[0].address, base, percpu]) {
        let table = paging.rootTablePhys;
        for (const shift of paging.levels === 5 ? [48n, 39n, 30n, 21n, 12n] : [39n, 30n, 21n, 12n]) {
          expect(tables.has(Number(table / 4096n)), `table at 0x${table.toString(16)} for 0x${va.toString(16)}`).toBe(true);
          const b = await o.dump.readPhys(Number(table) + Number((va >> shift) & 511n) * 8, 8);
          const e = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
          if ((shift === 30n || shift === 21n) && e & 0x80n) break;
          if (shift === 12n) break;
          table = e & 0x000ffffffffff000n & ~paging.smeMask;
        }
      }
    });

    it.skipIf(f.arch !== 'riscv64')('lists every riscv64 page table on the way to the (vmalloc) stack, a per-cpu page and init_task', async () => {
      const km = KernelMemory.open(o.dump);
      const tables = new Set(o.needs.pages.filter((p) => p.kind === 'page-table').map((p) => p.pfn));
      const layout = (km.translator as Riscv64Translator).layout;
      const root = layout.swapperPgDir - layout.vaKernelPaOffset;
      expect(tables.has(Number(root / 4096n))).toBe(true);
      const percpu = o.needs.pages.find((p) => p.kind === 'per-cpu')!.address!;
      for (const va of [stackBase(), percpu, o.table.lookupName('init_task')[0].address]) {
        let table = root;
        // Sv39/48/57: 9 index bits a level above the 12-bit page offset; an entry with R, W or X set is a leaf.
        for (let shift = BigInt(12 + 9 * (layout.levels - 1)); shift >= 12n; shift -= 9n) {
          expect(tables.has(Number(table / 4096n)), `table at 0x${table.toString(16)} for 0x${va.toString(16)}`).toBe(true);
          const b = await o.dump.readPhys(Number(table) + Number((va >> shift) & 511n) * 8, 8);
          const e = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
          expect(e & 1n).toBe(1n);
          if (e & 0xen) break;
          table = ((e >> 10n) & ((1n << 44n) - 1n)) << 12n;
        }
      }
    });

    it('without data symbols in kallsyms: the page tables and CPU stacks are still checked, and warnings say what is not', async (ctx) => {
      if (hasDataSymbols()) ctx.skip(`${f.name}: kallsyms names its data sections (checked above)`);
      const kinds = (k: string) => o.needs.pages.filter((p) => p.kind === k).length;
      expect(kinds('symbol')).toBe(0);
      expect(kinds('page-table')).toBeGreaterThan(10);
      expect(kinds('stack')).toBeGreaterThan(0);
      expect(o.needs.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['W_NO_SECTIONS', 'W_NO_PERCPU']));
    });

    it('--check-level 31 says the level keeps everything and exits 0; the JSON lists what was checked', () => {
      const r = vmsieve(['--check-level', '31', '--json', f.vmcore]);
      expect(r.status).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({ level: 31, keepsEverything: true, dropped: [] });
      const c = keepCheck(o.needs, o.classified.classMap, 31).checked;
      expect(j.checked).toEqual(c);
      const text = vmsieve(['--check-level', '31', f.vmcore]);
      expect(text.status).toBe(0);
      expect(text.stdout).toMatch(new RegExp(`^Dump level 31 keeps every page crash and drgn need \\(checked ${c.symbol} data symbols, ${c.stack} stack pages`));
    });
  });
});

describe('--check-level usage', () => {
  it('a level out of range is bad usage', () => {
    const r = vmsieve(['--check-level', '32', 'x.vmcore']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--check-level must be between 0 and 31/);
  });
});
