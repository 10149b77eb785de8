import { beforeAll, describe, expect, it } from 'vitest';
import { classifyDump } from '../../src/filter/classify-dump.js';
import { classOverview, OVERVIEW_CLASSES, type OverviewClass } from '../../src/filter/class-overview.js';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { excludedByClass, realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const skip = realFixturesSkipReason();

describe.skipIf(!!skip)(`the class overview's totals are makedumpfile's -d 31 counts${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let kernels: KernelExports;
  beforeAll(async () => {
    kernels = await instantiateKernels(await nodeWasmModule());
  });

  for (const fx of realFixtures()) {
    it(fx.name, async () => {
      const source = await NodeFileSource.open(fx.vmcore);
      try {
        const dump = await openDump(source);
        const classified = await classifyDump(dump, KernelMemory.open(dump), kernels, { zeroScan: true });
        const o = classOverview(classified, 4096);
        const total = (c: OverviewClass) => o.totals[OVERVIEW_CLASSES.indexOf(c)];
        const want = fx.oracle.counts_by_level['31'];
        const inDumpPages = classified.inDump.reduce((n, r) => n + r.end - r.start, 0);
        expect(o.zeroKnown).toBe(true);
        const classes = ['zero', 'cache', 'cachePrivate', 'user', 'free', 'hwpoison', 'offline'] as const;
        expect(Object.fromEntries(classes.map((c) => [c, total(c)]))).toEqual(excludedByClass(want));
        // Each page frame once: makedumpfile's counts of pages in two PT_LOADs twice are not ours to repeat.
        expect(total('kept')).toBe(inDumpPages - want.excluded_pages);
        expect(total('notInDump')).toBe(want.total_pages - inDumpPages);
      } finally {
        await source.close?.();
      }
    });
  }
});
