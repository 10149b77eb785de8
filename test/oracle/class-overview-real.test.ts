import { beforeAll, describe, expect, it } from 'vitest';
import { classifyDump } from '../../src/filter/classify-dump.js';
import { classOverview, OVERVIEW_CLASSES, type OverviewClass } from '../../src/filter/class-overview.js';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

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
        expect({
          zero: total('zero'),
          cache: total('cache'),
          cachePrivate: total('cachePrivate'),
          user: total('user'),
          free: total('free'),
          hwpoison: total('hwpoison'),
          offline: total('offline'),
        }).toEqual({
          zero: want.zero_pages,
          cache: want.non_private_cache_pages,
          cachePrivate: want.private_cache_pages,
          user: want.user_process_data_pages,
          free: want.free_pages,
          hwpoison: want.hwpoison_pages,
          offline: want.offline_pages,
        });
        // Each page frame once: makedumpfile's counts of pages in two PT_LOADs twice are not ours to repeat.
        expect(total('kept')).toBe(inDumpPages - want.excluded_pages);
        expect(total('notInDump')).toBe(want.total_pages - inDumpPages);
      } finally {
        await source.close?.();
      }
    });
  }
});
