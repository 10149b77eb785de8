import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyDump, type ClassifyResult } from '../../src/filter/classify-dump.js';
import { openVmcore } from '../../src/index.js';
import { nodeComputePool } from '../../src/workers/node-compute.js';
import type { ComputePool } from '../../src/workers/pool.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const skip = realFixturesSkipReason();
const fixtures = realFixtures();

/** What a classification decides: every class code, the counts and the warnings. */
const outcome = (r: ClassifyResult) => ({ classMap: Buffer.from(r.classMap), visited: r.stats.visitedPages, read: r.stats.structPagesRead, warnings: r.warnings });

// Workers classify batches from a fresh state and the main thread chains them, re-running a batch that a buddy block or
// compound page of an earlier one reaches into. Small batches make those carries common; the result must not change.
describe.skipIf(!!skip)(`classification in compute workers equals the one-thread classification${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pool: ComputePool;
  beforeAll(async () => {
    pool = await nodeComputePool(4096, 2);
  });
  afterAll(() => pool?.close());

  for (const f of fixtures) {
    it(`${f.name}: same classes, counts and warnings with 2 workers, at 32768- and 512-page batches`, async () => {
      const vmcore = await openVmcore(f.vmcore);
      try {
        const { dump, km, kernels } = await vmcore.input();
        const workers = dump.pageSize === 4096 ? pool : await nodeComputePool(dump.pageSize, 2);
        try {
          for (const batchPages of [32768, 512]) {
            const here = await classifyDump(dump, km, kernels, { zeroScan: false, batchPages });
            const there = await classifyDump(dump, km, kernels, { zeroScan: false, batchPages, pool: workers });
            expect(outcome(there)).toEqual(outcome(here));
          }
        } finally {
          if (workers !== pool) await workers.close();
        }
      } finally {
        await vmcore.close();
      }
    });
  }
});
