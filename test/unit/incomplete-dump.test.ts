import { beforeAll, describe, expect, it } from 'vitest';
import { classifyDump } from '../../src/filter/classify-dump.js';
import { reportForLevel } from '../../src/filter/report.js';
import { DUMP_DH_COMPRESSED_INCOMPLETE, PAGE_DESC_SIZE, decodeDiskDumpHeader } from '../../src/formats/kdump/diskdump.js';
import { isKdumpDump, type KdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { openDump } from '../../src/formats/open-dump.js';
import { describeDump } from '../../src/info/dump-info.js';
import { MemorySource } from '../../src/io/source.js';
import { readDmesg } from '../../src/kernel/dmesg/index.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { makeFuzzBases, type FuzzBases } from '../helpers/fuzz-bases.js';

/** Dumps cut short (a full disk, makedumpfile -L, an interrupted copy) are read as far as they go, and say so. */

let kernels: KernelExports;
let bases: FuzzBases;
beforeAll(async () => {
  kernels = await instantiateKernels(await nodeWasmModule());
  bases = await makeFuzzBases(kernels);
});

const PS = 4096;

describe('an ELF vmcore cut inside a memory segment', () => {
  it('opens; the lost pfns are listed, read as missing (not zero), and the rest classifies', async () => {
    const full = await openDump(new MemorySource(bases.elf, 'full.vmcore'));
    const last = full.loads.reduce((a, b) => (b.fileOffset + b.fileSize > a.fileOffset + a.fileSize ? b : a));
    const cut = last.fileOffset + Math.floor(last.fileSize / 2) + 123;
    const dump = await openDump(new MemorySource(bases.elf.subarray(0, cut), 'cut.vmcore'));
    const keptPages = Math.floor((last.physStart + (cut - last.fileOffset)) / PS);
    expect(dump.missing).toEqual([{ start: keptPages, end: Math.ceil((last.physStart + last.fileSize) / PS) }]);
    const w = dump.warnings?.find((x) => x.code === 'W_INCOMPLETE');
    expect(w?.message).toMatch(new RegExp(`cut\\.vmcore is incomplete \\(the file ends inside its memory segments\\): \\d+ pages missing, pfn 0x${keptPages.toString(16)}-`));
    await expect(dump.readPhys(keptPages * PS, PS)).rejects.toMatchObject({ code: 'E_NOT_IN_DUMP', message: /missing from cut\.vmcore/ });
    expect(await dump.readPhys((keptPages - 1) * PS, PS)).toEqual(await full.readPhys((keptPages - 1) * PS, PS));
    expect((await describeDump(dump)).warnings.map((x) => x.code)).toContain('W_INCOMPLETE');

    const r = await classifyDump(dump, KernelMemory.open(dump), kernels, {});
    const whole = await classifyDump(full, KernelMemory.open(full), kernels, {});
    const missingPages = dump.missing!.reduce((n, m) => n + m.end - m.start, 0);
    const withData = (x: typeof r) => x.withData.reduce((n, m) => n + m.end - m.start, 0);
    expect(withData(r)).toBe(withData(whole) - missingPages);
    expect(reportForLevel(r, 31).total).toBe(reportForLevel(whole, 31).total);
  });
});

/** The kdump file with the last `n` descriptors never written (zero) and the header flagged, as makedumpfile leaves it. */
async function withUnwrittenTail(file: Uint8Array, n: number): Promise<{ bytes: Uint8Array; original: KdumpDump }> {
  const original = await openDump(new MemorySource(file, 'full.kdump'));
  if (!isKdumpDump(original)) throw new Error('not a kdump file');
  const b = file.slice();
  const end = original.descTableOffset + original.numDumpable * PAGE_DESC_SIZE;
  b.fill(0, end - n * PAGE_DESC_SIZE, end);
  new DataView(b.buffer).setUint32(424, decodeDiskDumpHeader(b, 'little').status | DUMP_DH_COMPRESSED_INCOMPLETE, true);
  return { bytes: b, original };
}

async function lastPfns(d: KdumpDump, n: number): Promise<number[]> {
  const all: number[] = [];
  for await (const { pfn } of d.descriptors()) all.push(pfn);
  return all.slice(-n);
}

describe('a kdump file flagged DUMP_DH_COMPRESSED_INCOMPLETE', () => {
  it('reads the pages written; the unwritten ones are missing pfn ranges in a warning', async () => {
    const { bytes, original } = await withUnwrittenTail(bases.kdumpZlib, 300);
    const lost = await lastPfns(original, 300);
    const dump = (await openDump(new MemorySource(bytes, 'limited.kdump'))) as KdumpDump;
    expect(dump.missing?.reduce((n, r) => n + r.end - r.start, 0)).toBe(300);
    expect(dump.missing?.[0]?.start).toBe(lost[0]);
    expect(dump.missing?.at(-1)?.end).toBe(lost.at(-1)! + 1);
    expect(dump.warnings?.map((w) => w.message).join()).toMatch(/limited\.kdump is incomplete \(flagged DUMP_DH_COMPRESSED_INCOMPLETE\): 300 pages missing, pfn 0x/);
    for (const pfn of lost.slice(0, 3)) {
      expect(dump.isDumpable(pfn)).toBe(false);
      await expect(dump.readPhys(pfn * PS, 8)).rejects.toMatchObject({ code: 'E_NOT_IN_DUMP', message: /missing from limited\.kdump: the dump is incomplete/ });
    }
    const kept = (await lastPfns(original, 301))[0]!;
    expect(await dump.readPhys(kept * PS, PS)).toEqual(await original.readPhys(kept * PS, PS));
    let present = 0;
    for await (const _ of dump.descriptors()) present++;
    expect(present).toBe(original.numDumpable - 300);
    expect((await readDmesg(dump)).log).toBe((await readDmesg(original)).log);
  });

  it('a file cut inside its page data (not flagged) is read the same way', async () => {
    const original = (await openDump(new MemorySource(bases.kdumpZlib, 'full.kdump'))) as KdumpDump;
    const last = (await lastPfns(original, 50))[0]!;
    const cutAt = (await original.descriptor(last))!.offset;
    let lost = 0;
    for await (const { desc } of original.descriptors()) if (desc.offset + desc.size > cutAt) lost++;
    expect(lost).toBeGreaterThan(0);
    const dump = (await openDump(new MemorySource(bases.kdumpZlib.subarray(0, cutAt), 'cut.kdump'))) as KdumpDump;
    expect(dump.missing?.reduce((n, r) => n + r.end - r.start, 0)).toBe(lost);
    expect(dump.warnings?.[0]?.message).toMatch(new RegExp(`cut\\.kdump is incomplete \\(the file ends before its last pages\\): ${lost} pages missing`));
  });

  it('a complete file has no missing pages and no warning', async () => {
    const dump = await openDump(new MemorySource(bases.kdumpZlib, 'full.kdump'));
    expect(dump.missing ?? []).toEqual([]);
    expect(dump.warnings ?? []).toEqual([]);
  });
});
