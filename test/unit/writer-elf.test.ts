import { describe, expect, it } from 'vitest';
import { assignOffsets, planElfLoads, writeElf, type Phdr } from '../../src/formats/elf-out/write-elf.js';
import { bitmapFileLookup } from '../../src/formats/elf-out/bitmap-file-lookup.js';
import { readKdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { writeKdump } from '../../src/formats/kdump/write-kdump.js';
import { openDump } from '../../src/formats/open-dump.js';
import { bitmapBytes, setBit, type PageSelection } from '../../src/formats/selection.js';
import { InOrderSink } from '../../src/io/in-order-sink.js';
import { MemorySequentialSink, MemorySink } from '../../src/io/sink.js';
import { MemorySource } from '../../src/io/source.js';
import type { Dump } from '../../src/model/dump.js';
import { buildElfCore, prstatusNote, vmcoreinfoNote } from '../helpers/elf-builder.js';

const PS = 4096;
const load = (paddr: number, pages: number, vaddr = 0xffff888000000000n + BigInt(paddr)): Phdr => ({
  type: 1,
  flags: 7,
  offset: 0,
  vaddr,
  paddr: BigInt(paddr),
  filesz: pages * PS,
  memsz: pages * PS,
  align: 0n,
});

describe('ELF writer: makedumpfile PT_LOAD splitting', () => {
  it('keeps runs of < 256 excluded pages with their content, splits at 256, leaves excluded tails out', () => {
    // pfns 0..999: excluded 10..264 (255 pages), 300..555 (256 pages), 900..999 (tail).
    const ex = (pfn: number) => (pfn >= 10 && pfn < 265) || (pfn >= 300 && pfn < 556) || pfn >= 900;
    const planned = planElfLoads([load(0, 1000)], PS, (pfn) => !ex(pfn));
    expect(planned.map((l) => [Number(l.phdr.paddr) / PS, l.phdr.memsz / PS, l.phdr.filesz / PS])).toEqual([
      [0, 556, 300], // 0..299 in the file (the 255-page run kept), 300..555 only in memory
      [556, 444, 344], // 556..899 in the file, the tail 900..999 only in memory
    ]);
    expect(planned[1]!.phdr.vaddr).toBe(0xffff888000000000n + 556n * BigInt(PS));
    const end = assignOffsets(planned, 1000);
    expect(planned.map((l) => l.phdr.offset)).toEqual([1000, 1000 + 300 * PS]);
    expect(end).toBe(1000 + 644 * PS);
  });

  it('gives a split-off piece without data p_offset 0, but not the last piece of a segment', () => {
    const ex = (pfn: number) => pfn !== 300;
    const planned = planElfLoads([load(0, 700), load(800 * PS, 4)], PS, (pfn) => !ex(pfn));
    assignOffsets(planned, 5000);
    expect(planned.map((l) => [l.phdr.memsz / PS, l.phdr.filesz / PS, l.phdr.offset])).toEqual([
      [300, 0, 0],
      [400, 1, 5000],
      [4, 0, 5000 + PS],
    ]);
  });

  it('handles segments that start or end inside a page (partial head and tail)', () => {
    const planned = planElfLoads([{ ...load(0x1000, 0), paddr: 0x1800n, memsz: 0x2000, filesz: 0x2000 }], PS, () => true);
    expect(planned.map((l) => [l.phdr.memsz, l.phdr.filesz])).toEqual([[0x2000, 0x2000]]);
  });
});

const info = 'OSRELEASE=6.1.0-test\nPAGESIZE=4096\nNUMBER(phys_base)=0\n';
function pages(n: number, fill: (i: number) => number): Uint8Array {
  const b = new Uint8Array(n * PS);
  for (let i = 0; i < n; i++) b.fill(fill(i), i * PS, (i + 1) * PS);
  return b;
}

/** 600 pages at pfn 16: pages 100..399 are zero (300 pages: a run ≥ 256 once found), the rest non-zero; pfn 20 excluded. */
async function zeroRunDump(): Promise<{ data: Uint8Array; src: Dump; sel: PageSelection }> {
  const data = pages(600, (i) => (i >= 100 && i < 400 ? 0 : (i % 250) + 1));
  const core = buildElfCore({ notes: [prstatusNote(), vmcoreinfoNote(info)], loads: [{ paddr: 16 * PS, vaddr: 0xffff888000010000n, data }] });
  const src = await openDump(new MemorySource(core, 'in.vmcore'));
  const maxPfn = 616;
  const bitmap2 = new Uint8Array(bitmapBytes(maxPfn));
  for (let p = 16; p < 616; p++) if (p !== 20) setBit(bitmap2, p);
  return { data, src, sel: { maxPfn, bitmap1: bitmap2.slice(), bitmap2, excludeZero: true } };
}

describe('ELF writer output', () => {
  it('writes a vmcore our reader reads back: notes verbatim, kept pages identical, zero pages found and left out', async () => {
    const { data, src, sel } = await zeroRunDump();
    const sink = new MemorySink();
    const r = await writeElf(src, sel, sink);
    expect(r.zeroPages).toBe(300);
    expect(r.loads).toBe(2);
    const out = sink.bytes().slice();
    expect(out.length).toBe(r.fileSize);
    const back = await openDump(new MemorySource(out, 'out.vmcore'));
    expect(back.notes.map((n) => n.name)).toEqual(['CORE', 'VMCOREINFO']);
    expect(back.vmcoreinfo!.raw).toBe(info);
    expect(back.loads.map((l) => [l.physStart / PS, l.physEnd / PS, l.fileSize / PS])).toEqual([
      [16, 416, 100],
      [416, 616, 200],
    ]);
    // pfn 20 was excluded but sits in a short run: kept with its content.
    expect(await back.readPhys(20 * PS, PS)).toEqual(data.subarray(4 * PS, 5 * PS));
    expect(await back.readPhys(500 * PS, 2 * PS)).toEqual(data.subarray(484 * PS, 486 * PS));
  });

  it('writes the same file front to back for a sink that takes bytes in order only (a download stream)', async () => {
    const { src, sel } = await zeroRunDump();
    const file = new MemorySink();
    await writeElf(src, { ...sel, bitmap2: sel.bitmap2.slice() }, file);
    const stream = new MemorySequentialSink();
    const inOrder = new InOrderSink(stream);
    await writeElf(src, sel, inOrder);
    await inOrder.close();
    expect(stream.bytes().length).toBe(file.bytes().length);
    // Buffer's compare: toEqual walks a megabyte of elements one by one.
    expect(Buffer.compare(stream.bytes(), file.bytes())).toBe(0);
  });

  it('uses extended numbering (e_phnum = PN_XNUM, count in section header 0) for 65535+ program headers', async () => {
    const n = 65535;
    const core = buildElfCore({
      notes: [vmcoreinfoNote(info)],
      loads: Array.from({ length: n }, (_, i) => ({ paddr: 2 * i * PS, data: new Uint8Array(0), memsz: PS })),
      extendedNumbering: true,
    });
    const src = await openDump(new MemorySource(core, 'many.vmcore'));
    const maxPfn = 2 * n;
    const bitmap = new Uint8Array(bitmapBytes(maxPfn));
    const sink = new MemorySink();
    const r = await writeElf(src, { maxPfn, bitmap1: bitmap, bitmap2: bitmap, excludeZero: false }, sink);
    expect(r.extendedNumbering).toBe(true);
    const out = sink.bytes().slice();
    const v = new DataView(out.buffer);
    expect(v.getUint16(56, true)).toBe(0xffff);
    const shoff = Number(v.getBigUint64(40, true));
    expect(shoff).toBe(64 + 56 * (n + 1));
    expect(v.getUint16(60, true)).toBe(1);
    expect(v.getUint32(shoff + 44, true)).toBe(n + 1);
    const back = await openDump(new MemorySource(out, 'out.vmcore'));
    expect(back.loads.length).toBe(n);
    expect(back.vmcoreinfo!.raw).toBe(info);
  });

  it('writes ELF from a kdump-compressed input (kexec-like headers from the 1st bitmap)', async () => {
    const data = pages(40, (i) => i + 1);
    const core = buildElfCore({ notes: [prstatusNote(), vmcoreinfoNote(info)], loads: [{ paddr: 8 * PS, data }] });
    const src = await openDump(new MemorySource(core, 'in.vmcore'));
    const maxPfn = 48;
    const bitmap1 = new Uint8Array(bitmapBytes(maxPfn));
    for (let p = 8; p < 48; p++) setBit(bitmap1, p);
    const bitmap2 = bitmap1.slice();
    bitmap2[2] = 0; // pfns 16..23 excluded: a short run, so in the ELF file as zeros
    const kdumpSink = new MemorySink();
    await writeKdump(src, { maxPfn, bitmap1, bitmap2, excludeZero: false }, kdumpSink, { dumpLevel: 0 });
    const k = await readKdumpDump(new MemorySource(kdumpSink.bytes().slice(), 'in.kdump'));
    const sink = new MemorySink();
    const r = await writeElf(k, k.selection(false), sink);
    expect(r.loads).toBe(1);
    const back = await openDump(new MemorySource(sink.bytes().slice(), 'out.vmcore'));
    expect(back.vmcoreinfo!.raw).toBe(info);
    expect(back.loads.map((l) => [l.physStart, l.physEnd])).toEqual([[8 * PS, 48 * PS]]);
    expect(await back.readPhys(8 * PS, 8 * PS)).toEqual(data.subarray(0, 8 * PS));
    expect(await back.readPhys(16 * PS, 8 * PS)).toEqual(new Uint8Array(8 * PS));
    expect(await back.readPhys(24 * PS, 24 * PS)).toEqual(data.subarray(16 * PS));
  });
});

describe("ELF writer: makedumpfile's bitmap-file lookups past the memory map", () => {
  const ROM = 0xfffc0000;
  const qemu = (ramPages: number) => [load(0, ramPages), load(ROM, 64, 0n)];

  it('a ROM past a memory map that fills its last 32768-page block reads the bits of that block: its last 64 pages', () => {
    const l = bitmapFileLookup(qemu(0x18000), PS, 0x18000, 0x100000);
    expect(l.from).toBe(0x18000);
    expect(l.bitFor(0xfffc0)).toBe(0x17fc0);
    expect(l.bitFor(0xfffff)).toBe(0x17fff);
  });

  it('a memory map that ends inside its last block: the ROM reads bits past max_mapnr (kept by none)', () => {
    const l = bitmapFileLookup(qemu(0xc000), PS, 0xc000, 0x100000);
    expect(l.from).toBe(0x10000);
    expect(l.bitFor(0xfffc0)).toBe(0xffc0);
  });

  it('no bitmap file when max_mapnr from the PT_LOADs is not a multiple of 4 (cyclic mode): every page reads its own bit', () => {
    const l = bitmapFileLookup([load(0, 0x11fda)], PS, 0x11fda, 0x11fda);
    expect(l.from).toBe(Infinity);
  });
});
