// makedumpfile's arm64 fallbacks on the real arm64 dump: with the VMCOREINFO keys an older kernel lacks
// (VA_BITS, TCR_EL1_T1SZ, MAX_PHYSMEM_BITS, PHYS_OFFSET) taken away, the layout is rebuilt from _stext and the
// PT_LOADs as makedumpfile rebuilds it, every missing key is named in a warning, and the -d 31 counts stay the record's.
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyDump } from '../../src/filter/classify-dump.js';
import { reportForLevel } from '../../src/filter/report.js';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { VmcoreInfo } from '../../src/model/vmcoreinfo.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { excludedByClass, realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

// Kernels that lack these keys predate 52-bit VA: a 52-bit VA kernel (fixtures/real's 16 KiB one, running 47-bit)
// cannot be rebuilt without VA_BITS and TCR_EL1_T1SZ, by makedumpfile or anyone.
const arm64 = realFixtures().filter((f) => f.arch === 'arm64' && !/^NUMBER\(VA_BITS\)=52$/m.test(f.oracle.vmcoreinfo_text));
const skip = realFixturesSkipReason() ?? (arm64.length ? undefined : 'no real arm64 fixture');
const REMOVED = ['NUMBER(VA_BITS)', 'NUMBER(TCR_EL1_T1SZ)', 'NUMBER(MAX_PHYSMEM_BITS)', 'NUMBER(PHYS_OFFSET)'];

describe.skipIf(!!skip)(`arm64 VMCOREINFO fallbacks on a real dump${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let kernels: KernelExports;
  beforeAll(async () => {
    kernels = await instantiateKernels(await nodeWasmModule());
  });

  it.each(arm64.map((f) => [f.name, f] as const))('%s without VA_BITS, TCR_EL1_T1SZ, MAX_PHYSMEM_BITS, PHYS_OFFSET', async (_n, f) => {
    const source = await NodeFileSource.open(f.vmcore);
    try {
      const dump = await openDump(source);
      const text = dump.vmcoreinfo!.raw.split('\n').filter((l) => !REMOVED.some((k) => l.startsWith(`${k}=`))).join('\n');
      const bare = Object.create(dump, { vmcoreinfo: { value: new VmcoreInfo(text) } }) as typeof dump;
      const km = KernelMemory.open(bare);
      expect(km.translator.physBase).toBe(BigInt.asIntN(64, dump.vmcoreinfo!.number('PHYS_OFFSET')!));
      const res = await classifyDump(bare, km, kernels);
      const codes = res.warnings.map((w) => w.code);
      // T1SZ is only needed on 52-bit VA kernels, so its absence is no warning here.
      expect(codes).toEqual(expect.arrayContaining(['W_NO_VA_BITS', 'W_NO_MAX_PHYSMEM_BITS', 'W_NO_PHYS_OFFSET']));
      expect(codes).not.toContain('W_NO_TCR_EL1_T1SZ');
      const r = reportForLevel(res, 31);
      expect({ zero: r.zero, cache: r.cache, cachePrivate: r.cachePrivate, user: r.user, free: r.free, hwpoison: r.hwpoison, offline: r.offline }).toEqual(excludedByClass(f.oracle.counts_by_level['31']));
    } finally {
      await source.close?.();
    }
  });
});
