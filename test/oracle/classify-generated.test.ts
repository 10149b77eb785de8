/**
 * vmsieve's classifier against the synthetic generator's predicted makedumpfile report, at all 32
 * dump levels, on several machine shapes (the generator's predictions are themselves checked against
 * Debian's makedumpfile in generator-vs-makedumpfile.test.ts).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateVmcore, type GenerateOptions, type LevelReport } from '../../fixtures/gen/generate.js';
import { classifyDump } from '../../src/filter/classify-dump.js';
import { reportForLevel } from '../../src/filter/report.js';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { instantiateKernels } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { repoRoot } from '../helpers/fixtures.js';

const genDir = join(repoRoot, '.cache', 'gen');

const CASES: Array<[string, GenerateOptions]> = [
  ['6.1 4-level KASLR, 1G direct map, hole, truncated tail', { kernel: '6.1', memoryMiB: 64, truncateTailMiB: 4, seed: 21 }],
  ['6.1 5-level, 2M direct map, 4K vmemmap', { kernel: '6.1', memoryMiB: 72, fiveLevel: true, directMap: '2M', vmemmapPages: '4K', seed: 22 }],
  ['6.1 classic sparse mem_map, no KASLR, no hole', { kernel: '6.1', memoryMiB: 40, kaslr: false, hole: false, memmapModel: 'sparse', seed: 23 }],
  ['6.12 page types, mixed vmemmap', { kernel: '6.12', memoryMiB: 64, vmemmapPages: 'mixed', seed: 24 }],
];

describe('vmsieve classification vs the generator prediction (all 32 levels)', () => {
  it.each(CASES)('%s', async (name, options) => {
    mkdirSync(genDir, { recursive: true });
    const file = join(genDir, `classify-${name.replace(/[^a-z0-9.-]+/gi, '_')}.vmcore`);
    const prediction = await generateVmcore(file, options);
    const source = await NodeFileSource.open(file);
    try {
      const dump = await openDump(source);
      const result = await classifyDump(dump, KernelMemory.open(dump), await instantiateKernels(await nodeWasmModule()));
      const mismatches: string[] = [];
      for (let level = 0; level < 32; level++) {
        const want = prediction.levels[level]!;
        const have = reportForLevel(result, level);
        for (const k of Object.keys(want) as Array<keyof LevelReport>)
          if (want[k] !== have[k]) mismatches.push(`-d ${level} ${k}: predicted ${want[k]}, vmsieve ${have[k]}`);
      }
      expect(mismatches).toEqual([]);
    } finally {
      await source.close();
      rmSync(file, { force: true });
    }
  }, 60_000);
});
