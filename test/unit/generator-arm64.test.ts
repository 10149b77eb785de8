/**
 * The synthetic generator's arm64 machines (fixtures/gen/arm64.ts): every granule and level count arm64 Linux builds,
 * both linear-map layouts, PUD/PMD blocks, FEAT_LPA and FEAT_LPA2 descriptors. Each dump is classified by vmsieve,
 * whose page counts must equal the generator's prediction at every dump level; the descriptor encodings are checked
 * against the bit positions of the Arm ARM (D8.3).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARM64_SHAPES, arm64Geometry, decodeOutputAddress, encodeOutputAddress } from '../../fixtures/gen/arm64.js';
import { generateVmcore, type Prediction } from '../../fixtures/gen/generate.js';
import { classifyDump, type ClassifyResult } from '../../src/filter/classify-dump.js';
import { reportForLevel } from '../../src/filter/report.js';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { instantiateKernels } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { repoRoot } from '../helpers/fixtures.js';

const dir = join(repoRoot, '.cache', 'gen-arm64');

describe('arm64 descriptors: output-address bits', () => {
  it('48-bit PA: bits [47:PAGE_SHIFT] in place, nothing above', () => {
    const g = arm64Geometry(ARM64_SHAPES['4k-48']!);
    expect(encodeOutputAddress(g, 0x0000_8765_4321_f000n)).toBe(0x0000_8765_4321_f000n);
    expect(() => encodeOutputAddress(g, 1n << 48n)).toThrow(/52-bit/);
  });

  it('FEAT_LPA (64 KiB): PA[51:48] in bits [15:12]', () => {
    const g = arm64Geometry(ARM64_SHAPES['64k-52-lpa']!);
    expect(g.descriptor).toBe('lpa');
    const pa = 0x000a_1234_5678_0000n;
    expect(encodeOutputAddress(g, pa)).toBe(0x0000_1234_5678_0000n | (0xan << 12n));
    expect(decodeOutputAddress(g, encodeOutputAddress(g, pa) | 0x703n)).toBe(pa);
  });

  it.each(['4k-52-lpa2', '16k-52-lpa2'])('FEAT_LPA2 (%s): PA[49:PAGE_SHIFT] in place, PA[51:50] in bits [9:8]', (name) => {
    const g = arm64Geometry(ARM64_SHAPES[name]!);
    expect(g.descriptor).toBe('lpa2');
    const pa = 0x000e_1234_5678_0000n; // bits 51:50 = 0b11, bit 49 = 1
    expect(encodeOutputAddress(g, pa)).toBe(0x0002_1234_5678_0000n | (3n << 8n));
    expect(decodeOutputAddress(g, encodeOutputAddress(g, pa) | 0x403n)).toBe(pa);
  });

  it('refuses shapes Linux does not build', () => {
    expect(() => arm64Geometry({ pageSize: 16384, vaBits: 39 })).toThrow(/not a Linux configuration/);
    expect(() => arm64Geometry({ pageSize: 4096, vaBits: 48, pa52: true })).toThrow(/LPA2/);
    expect(() => arm64Geometry({ pageSize: 65536, vaBits: 48, linearBlock: 'pud' })).toThrow(/PUD/);
  });
});

const shapes = Object.keys(ARM64_SHAPES);

describe.each(shapes)('arm64 synthetic dump %s', (name) => {
  const shape = ARM64_SHAPES[name]!;
  const path = join(dir, `${name}.vmcore`);
  let prediction: Prediction;
  let classified: ClassifyResult;
  let info: Map<string, string>;

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    // 64 KiB pages: enough pages for the order-9 and order-10 blocks every dump holds
    prediction = await generateVmcore(path, { arm64: shape, memoryMiB: shape.pageSize === 65536 ? 320 : 64, seed: 11, kaslr: true });
    info = new Map(prediction.vmcoreinfo.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const dump = await openDump(await NodeFileSource.open(path));
    expect(dump.pageSize).toBe(shape.pageSize);
    classified = await classifyDump(dump, KernelMemory.open(dump), await instantiateKernels(await nodeWasmModule()));
  });
  afterAll(() => rmSync(path, { force: true }));

  it("VMCOREINFO carries arm64's keys, not x86_64's", () => {
    const g = arm64Geometry(shape);
    expect(info.get('PAGESIZE')).toBe(String(shape.pageSize));
    expect(info.get('NUMBER(VA_BITS)')).toBe(String(shape.vaBits));
    expect(Number(info.get('NUMBER(TCR_EL1_T1SZ)'))).toBe(64 - g.shape.vabitsActual);
    expect(info.get('NUMBER(SECTION_SIZE_BITS)')).toBe(String(g.sectionSizeBits));
    expect(info.get('NUMBER(MAX_PHYSMEM_BITS)')).toBe(String(g.maxPhysmemBits));
    for (const key of ['NUMBER(kimage_voffset)', 'NUMBER(PHYS_OFFSET)', 'KERNELOFFSET', 'SYMBOL(swapper_pg_dir)', 'SYMBOL(_stext)']) expect(info.has(key), key).toBe(true);
    for (const key of ['NUMBER(phys_base)', 'SYMBOL(init_top_pgt)', 'NUMBER(pgtable_l5_enabled)']) expect(info.has(key), key).toBe(false);
  });

  it('vmsieve counts what the generator predicts at every dump level', () => {
    for (let level = 0; level < 32; level++) expect(reportForLevel(classified, level), `-d ${level}`).toMatchObject(prediction.levels[level]!);
  });
});
