import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyDump, type ClassifyResult } from '../../src/filter/classify-dump.js';
import { elfReportForLevel, formatReport, reportForLevel, type PageReport } from '../../src/filter/report.js';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { realFixtures, realFixturesSkipReason, type MakedumpfileReport } from '../helpers/fixtures.js';

const skip = realFixturesSkipReason();
const fixtures = realFixtures();

function asOracle(r: PageReport): MakedumpfileReport {
  return {
    original_pages: r.original,
    excluded_pages: r.excluded,
    zero_pages: r.zero,
    non_private_cache_pages: r.cache,
    private_cache_pages: r.cachePrivate,
    user_process_data_pages: r.user,
    free_pages: r.free,
    hwpoison_pages: r.hwpoison,
    offline_pages: r.offline,
    remaining_pages: r.remaining,
    memory_hole_pages: r.memoryHole,
    total_pages: r.total,
  };
}

function pick(o: MakedumpfileReport): MakedumpfileReport {
  return asOracle({
    level: 0,
    original: o.original_pages,
    excluded: o.excluded_pages,
    zero: o.zero_pages,
    cache: o.non_private_cache_pages,
    cachePrivate: o.private_cache_pages,
    user: o.user_process_data_pages,
    free: o.free_pages,
    hwpoison: o.hwpoison_pages,
    offline: o.offline_pages,
    extension: 0,
    remaining: o.remaining_pages,
    memoryHole: o.memory_hole_pages,
    total: o.total_pages,
  });
}

describe.skipIf(!!skip)(`page classification equals makedumpfile's report${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let kernels: KernelExports;
  const results = new Map<string, ClassifyResult>();
  const table: string[] = [];

  beforeAll(async () => {
    kernels = await instantiateKernels(await nodeWasmModule());
  });
  afterAll(() => {
    if (table.length) console.log(['fixture level  zero cache priv user free hwp offl remain | ok', ...table].join('\n'));
  });

  for (const fx of fixtures) {
    describe(fx.name, () => {
      beforeAll(async () => {
        const source = await NodeFileSource.open(fx.vmcore);
        try {
          const dump = await openDump(source);
          const km = KernelMemory.open(dump);
          results.set(fx.name, await classifyDump(dump, km, kernels));
        } finally {
          await source.close?.();
        }
      });

      for (const level of Object.keys(fx.oracle.counts_by_level).map(Number)) {
        it(`-d ${level}`, () => {
          const res = results.get(fx.name)!;
          const got = reportForLevel(res, level);
          const want = pick(fx.oracle.counts_by_level[String(level)]);
          const ok = JSON.stringify(asOracle(got)) === JSON.stringify(want);
          table.push(
            `${fx.name} ${String(level).padStart(2)}  ${[got.zero, got.cache, got.cachePrivate, got.user, got.free, got.hwpoison, got.offline, got.remaining].join(' ')} | ${ok ? 'match' : `MISMATCH want ${[want.zero_pages, want.non_private_cache_pages, want.private_cache_pages, want.user_process_data_pages, want.free_pages, want.hwpoison_pages, want.offline_pages, want.remaining_pages].join(' ')}`}`,
          );
          expect(asOracle(got)).toEqual(want);
        });
      }

      const elfRuns = ((fx.oracle.matrix ?? []) as { cmd: string; rc: number; report: MakedumpfileReport }[]).filter(
        (m) => m.rc === 0 && / -E /.test(m.cmd) && m.report?.original_pages !== undefined,
      );
      for (const run of elfRuns) {
        const level = Number(/-d (\d+)/.exec(run.cmd)![1]);
        it(`-E -d ${level} (ELF output counts per PT_LOAD)`, () => {
          const got = elfReportForLevel(results.get(fx.name)!, level);
          const want = pick(run.report);
          const ok = JSON.stringify(asOracle(got)) === JSON.stringify(want);
          table.push(
            `${fx.name} -E ${String(level).padStart(2)}  ${[got.original, got.zero, got.cache, got.cachePrivate, got.user, got.free, got.hwpoison, got.offline, got.remaining].join(' ')} | ${ok ? 'match' : `MISMATCH want ${[want.original_pages, want.zero_pages, want.non_private_cache_pages, want.private_cache_pages, want.user_process_data_pages, want.free_pages, want.hwpoison_pages, want.offline_pages, want.remaining_pages].join(' ')}`}`,
          );
          expect(asOracle(got)).toEqual(want);
        });
      }

      it('does not depend on the batch size (ranges carried across wasm calls)', async () => {
        const source = await NodeFileSource.open(fx.vmcore);
        try {
          const dump = await openDump(source);
          const other = await classifyDump(dump, KernelMemory.open(dump), kernels, { batchPages: 4096 + 3, zeroScan: false });
          const base = results.get(fx.name)!;
          const strip = (m: Uint8Array) => m.map((b) => b & 0x7f);
          expect(Buffer.compare(strip(other.classMap), strip(base.classMap))).toBe(0);
          const s = base.stats;
          table.push(`${fx.name} stats: ${s.sections} sections, ${s.structPagesRead} struct pages in ${s.wasmCalls} wasm calls, ${s.classifyMs.toFixed(0)} ms; zero scan ${s.zeroScannedPages} pages (${s.zeroPages} zero) ${s.zeroScanMs.toFixed(0)} ms; warnings ${base.warnings.map((w) => w.code).join(', ') || 'none'}`);
        } finally {
          await source.close?.();
        }
      });

      it('without VMCOREINFO only zero pages are found, with a warning', async () => {
        const source = await NodeFileSource.open(fx.vmcore);
        try {
          const dump = await openDump(source);
          const bare = Object.create(dump, { vmcoreinfo: { value: undefined } }) as typeof dump;
          const res = await classifyDump(bare, undefined, kernels, { zeroScan: [1, 31] });
          expect(res.warnings.map((w) => w.code)).toEqual(['W_NO_VMCOREINFO']);
          expect(res.maxPfn).toBe(dump.maxPfnFromLoads);
          const r1 = reportForLevel(res, 1);
          const r31 = reportForLevel(res, 31);
          expect(r31).toEqual({ ...r1, level: 31 });
          expect(r1.cache + r1.cachePrivate + r1.user + r1.free + r1.hwpoison + r1.offline).toBe(0);
          expect(r1.zero).toBeGreaterThanOrEqual(fx.oracle.counts_by_level['1'].zero_pages);
          expect(() => reportForLevel(res, 3)).toThrow(/not scanned for level 3/);
        } finally {
          await source.close?.();
        }
      });

      it('prints the reference run report as makedumpfile does', () => {
        const ref = fx.oracle.reference_run as { cmd: string; report: MakedumpfileReport } | undefined;
        const log = fx.oracle.reference_run_log as string | undefined;
        if (!ref || !log) return;
        const level = Number(/-d (\d+)/.exec(ref.cmd)?.[1] ?? 31);
        const style = /version 1\.7\.2\b/.test(log) ? '1.7.2' : 'upstream';
        const text = formatReport(reportForLevel(results.get(fx.name)!, level), { style });
        const start = log.indexOf('\nOriginal pages');
        const end = log.indexOf('Total pages', start);
        const expected = log.slice(start, log.indexOf('\n', end) + 1);
        expect(text).toBe(expected);
      });
    });
  }
});
