import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyDump, scanZeroPages, copyClassification, type ClassifyResult } from '../../src/filter/classify-dump.js';
import { nodePlatform, openVmcore } from '../../src/index.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import type { ByteSource } from '../../src/io/source.js';
import { Vmcore } from '../../src/session/vmcore.js';
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

/** The file through read() only (no readInto), with or without the ref that lets its pages be read as extents. */
function readOnly(inner: ByteSource, withRef: boolean): ByteSource {
  return { name: inner.name, size: inner.size, read: (o, n) => inner.read(o, n), ref: withRef ? () => inner.ref?.() : undefined };
}

// The zero scan reads pages four ways: a read per span (a source workers cannot reach), extents read on this thread
// straight into wasm memory (a file) or across gaps through read() (a Blob), and extents read by workers.
describe.skipIf(!!skip)(`the zero scan finds the same zero pages however the pages are read${skip ? ` (skipped: ${skip})` : ''}`, () => {
  for (const f of fixtures) {
    it(`${f.name}: same zero bits by span reads, local extents (direct and through read()) and 2 workers`, async () => {
      const file = await NodeFileSource.open(f.vmcore);
      try {
        const zeroBits = async (source: ByteSource, pool?: ComputePool) => {
          const vmcore = await Vmcore.open(source, nodePlatform);
          const { dump, km, kernels } = await vmcore.input();
          const r = copyClassification(await classifyDump(dump, km, kernels, { zeroScan: false }));
          await scanZeroPages(dump, r, kernels, [1, 31], { pool, zeroChunkPages: 777 });
          return { classMap: Buffer.from(r.classMap), zero: r.stats.zeroPages, scanned: r.stats.zeroScannedPages };
        };
        const spans = await zeroBits(readOnly(file, false));
        expect(spans.zero).toBeGreaterThan(0);
        expect(await zeroBits(file)).toEqual(spans);
        expect(await zeroBits(readOnly(file, true))).toEqual(spans);
        const workers = await nodeComputePool((await Vmcore.open(file, nodePlatform)).dump.pageSize, 2);
        try {
          expect(await zeroBits(file, workers)).toEqual(spans);
        } finally {
          await workers.close();
        }
      } finally {
        await file.close();
      }
    });
  }
});
