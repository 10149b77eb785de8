import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dump } from '../../src/model/dump.js';
import { FLAT_HEADER_SIZE, FlattenedSink, restoreFlattened } from '../../src/formats/flat/flattened.js';
import { decodeDiskDumpHeader, decodeSubHeader, utsField } from '../../src/formats/kdump/diskdump.js';
import { STORED_RAW } from '../../src/codecs/registry.js';
import type { PageEncoder } from '../../src/formats/kdump/page-encoder.js';
import { readKdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { writeKdump } from '../../src/formats/kdump/write-kdump.js';
import { openDump } from '../../src/formats/open-dump.js';
import { bitmapBytes, setBit, type PageSelection } from '../../src/formats/selection.js';
import { NodeFileSink } from '../../src/io/node-sink.js';
import { InOrderSink } from '../../src/io/in-order-sink.js';
import { MemorySequentialSink, MemorySink } from '../../src/io/sink.js';
import { MemorySource } from '../../src/io/source.js';
import { buildElfCore, prstatusNote, vmcoreinfoNote } from '../helpers/elf-builder.js';
import { inThreadEncoder, nodeZlibEncoder } from '../helpers/in-thread-encoders.js';

const PS = 4096;
const info = 'OSRELEASE=6.1.0-test\nPAGESIZE=4096\nNUMBER(phys_base)=-16777216\nCRASHTIME=1700000000\n';

/** Page i of the synthetic dump: kinds cycle through zero, text-like (compressible), random. */
function pageOf(pfn: number): Uint8Array {
  const p = new Uint8Array(PS);
  switch (pfn % 3) {
    case 0:
      break;
    case 1:
      p.set(new TextEncoder().encode(`page ${pfn} `.repeat(300)).subarray(0, PS));
      break;
    default: {
      let x = Math.imul(pfn + 1, 2654435761) >>> 0;
      for (let i = 0; i < PS; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        p[i] = x >>> 24;
      }
    }
  }
  return p;
}

// RAM at pfns 1..16 and 32..47, a hole between; 48 pfns in all.
const loads = [
  { start: 1, end: 17 },
  { start: 32, end: 48 },
];
function pagesFor(start: number, end: number): Uint8Array {
  const out = new Uint8Array((end - start) * PS);
  for (let p = start; p < end; p++) out.set(pageOf(p), (p - start) * PS);
  return out;
}
const core = buildElfCore({
  notes: [prstatusNote(), prstatusNote(), vmcoreinfoNote(info)],
  loads: loads.map((l) => ({ paddr: l.start * PS, vaddr: 0xffff888000000000n + BigInt(l.start * PS), data: pagesFor(l.start, l.end) })),
});
const MAX_PFN = 48;
const excluded = new Set([2, 3, 40, 41, 42]);

function selection(excludeZero: boolean): PageSelection {
  const bitmap1 = new Uint8Array(bitmapBytes(MAX_PFN));
  const bitmap2 = new Uint8Array(bitmapBytes(MAX_PFN));
  for (const l of loads)
    for (let p = l.start; p < l.end; p++) {
      setBit(bitmap1, p);
      if (!excluded.has(p)) setBit(bitmap2, p);
    }
  return { maxPfn: MAX_PFN, bitmap1, bitmap2, excludeZero };
}
const dumpable = loads.flatMap((l) => Array.from({ length: l.end - l.start }, (_, i) => l.start + i)).filter((p) => !excluded.has(p));

async function source(): Promise<Dump> {
  return openDump(new MemorySource(core, 'synthetic.vmcore'));
}

async function write(excludeZero: boolean, encoderFor?: (dump: Dump) => PageEncoder, dumpLevel = excludeZero ? 1 : 0) {
  const sink = new MemorySink('out.kdump');
  const dump = await source();
  const r = await writeKdump(dump, selection(excludeZero), sink, { dumpLevel, encoder: encoderFor?.(dump), batchPages: 5 });
  await sink.close();
  return { bytes: sink.bytes().slice(), r };
}

describe('kdump-compressed writer', () => {
  it('writes the v6 header, sub header, notes and bitmaps at makedumpfile positions', async () => {
    const { bytes, r } = await write(true);
    const h = decodeDiskDumpHeader(bytes.subarray(0, 464), 'little');
    expect(h.signature).toBe('KDUMP   ');
    expect(h.headerVersion).toBe(6);
    expect(h.blockSize).toBe(PS);
    expect(h.status).toBe(0);
    expect(h.maxMapnr).toBe(MAX_PFN);
    expect(h.nrCpus).toBe(2);
    expect(h.timestampSec).toBe(1700000000n);
    expect(h.timestampUsec).toBe(0n);
    expect(h.bitmapBlocks).toBe(2);
    expect(utsField(h.utsname, 4)).toBe('x86_64'); // no init_uts_ns in this VMCOREINFO: machine only
    const noteSeg = (await source()).noteSegment!;
    expect(h.subHdrSize).toBe(Math.ceil((104 + noteSeg.fileSize) / PS));
    const sh = decodeSubHeader(bytes.subarray(PS, PS + 104), 'little');
    expect(sh.physBase).toBe(BigInt.asUintN(64, -16777216n));
    expect(sh.dumpLevel).toBe(1);
    expect(sh.offsetNote).toBe(BigInt(PS + 104));
    expect(sh.sizeNote).toBe(BigInt(noteSeg.fileSize));
    expect(bytes.subarray(PS + 104, PS + 104 + noteSeg.fileSize)).toEqual(core.subarray(noteSeg.fileOffset, noteSeg.fileOffset + noteSeg.fileSize));
    const vmci = Number(sh.offsetVmcoreinfo);
    expect(new TextDecoder().decode(bytes.subarray(vmci, vmci + Number(sh.sizeVmcoreinfo)))).toBe(info);
    expect(sh.maxMapnr64).toBe(BigInt(MAX_PFN));
    const b1 = (1 + h.subHdrSize) * PS;
    expect(Array.from(bytes.subarray(b1, b1 + 6))).toEqual(Array.from(selection(true).bitmap1));
    expect(Array.from(bytes.subarray(b1 + PS, b1 + PS + 6))).toEqual(Array.from(selection(true).bitmap2));
    expect(r.numDumpable).toBe(dumpable.length);
    expect(r.fileSize).toBe(bytes.length);
  });

  it('stores zero pages once when the level excludes them, and all pages raw without compression', async () => {
    const zeros = dumpable.filter((p) => p % 3 === 0).length;
    const { bytes, r } = await write(true);
    expect(r.zeroPages).toBe(zeros);
    expect(r.rawPages).toBe(dumpable.length - zeros);
    const table = (1 + 1 + 2) * PS;
    const dataStart = table + 24 * dumpable.length;
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    dumpable.forEach((pfn, i) => {
      const off = Number(v.getBigInt64(table + 24 * i, true));
      expect(v.getUint32(table + 24 * i + 8, true)).toBe(PS);
      expect(v.getUint32(table + 24 * i + 12, true)).toBe(0);
      if (pfn % 3 === 0) expect(off).toBe(dataStart);
      else expect(bytes.subarray(off, off + PS)).toEqual(pageOf(pfn));
    });
    expect(bytes.length).toBe(dataStart + PS * (1 + dumpable.length - zeros));
    // Without bit 1 zero pages are ordinary pages.
    const plain = await write(false);
    expect(plain.r.zeroPages).toBe(0);
    expect(plain.bytes.length).toBe(dataStart + PS * dumpable.length);
  });

  it('compresses with zlib where it helps and stores incompressible pages raw; the reader reads every page back', async () => {
    const { bytes, r } = await write(true, nodeZlibEncoder, 31);
    expect(decodeDiskDumpHeader(bytes.subarray(0, 464), 'little').status).toBe(1);
    expect(r.compressedPages).toBe(dumpable.filter((p) => p % 3 === 1).length);
    expect(r.rawPages).toBe(dumpable.filter((p) => p % 3 === 2).length);
    const k = await readKdumpDump(new MemorySource(bytes, 'out.kdump'));
    expect(k.format).toBe('kdump');
    expect(k.maxPfn).toBe(MAX_PFN);
    expect(k.numDumpable).toBe(dumpable.length);
    expect(k.subHeader!.dumpLevel).toBe(31);
    expect(k.vmcoreinfo!.osRelease).toBe('6.1.0-test');
    expect(k.loads.map((l) => [l.physStart / PS, l.physEnd / PS])).toEqual(loads.map((l) => [l.start, l.end]));
    for (const pfn of dumpable) expect(await k.readPhys(pfn * PS, PS)).toEqual(pageOf(pfn));
    // Across pages and runs, at unaligned addresses.
    expect(await k.readPhys(4 * PS + 100, 3 * PS)).toEqual(pagesFor(4, 8).subarray(100, 100 + 3 * PS));
    await expect(k.readPhys(2 * PS, 16)).rejects.toMatchObject({ code: 'E_NOT_IN_DUMP' });
    await expect(k.readPhys(20 * PS, 16)).rejects.toMatchObject({ code: 'E_NOT_IN_DUMP' });
    for await (const { pfn, desc } of k.descriptors()) if (desc.flags) expect(new Uint8Array(inflateSync(bytes.subarray(desc.offset, desc.offset + desc.size)))).toEqual(pageOf(pfn));
  });

  it('stores a page raw when the encoder says so or its output is not smaller than a page', async () => {
    const stubborn = (dump: Dump) =>
      inThreadEncoder(dump, 'lzo', (pages, count) => {
        const sizes = new Uint32Array(count);
        const parts: number[] = [];
        for (let i = 0; i < count; i++) {
          sizes[i] = i % 2 ? PS | STORED_RAW : 10;
          parts.push(...(i % 2 ? pages.subarray(i * PS, (i + 1) * PS) : new Uint8Array(10).fill(7)));
        }
        return { data: new Uint8Array(parts), sizes };
      });
    const { bytes, r } = await write(true, stubborn, 31);
    expect(decodeDiskDumpHeader(bytes.subarray(0, 464), 'little').status).toBe(2);
    expect(r.compressedPages + r.rawPages + r.zeroPages).toBe(dumpable.length);
    const k = await readKdumpDump(new MemorySource(bytes, 'out.kdump'));
    let raw = 0;
    for await (const { pfn, desc } of k.descriptors()) {
      if (desc.flags === 0 && pfn % 3 !== 0) {
        raw++;
        expect(await k.readPage(pfn)).toEqual(pageOf(pfn));
      }
      if (desc.flags === 2) {
        expect(desc.size).toBe(10);
        // the stub's 10 bytes are not an LZO stream: the reader's LZO decoder says so
        await expect(k.readPage(pfn)).rejects.toMatchObject({ code: 'E_BAD_HEADER', message: expect.stringMatching(/does not decompress \(lzo\): LZO stream ends early/) });
      }
    }
    expect(raw).toBe(r.rawPages);
  });

  it('re-filters its own output: a kdump input is a source like an ELF one', async () => {
    const first = await write(false);
    const k = await readKdumpDump(new MemorySource(first.bytes, 'in.kdump'));
    const sink = new MemorySink();
    await writeKdump(k, selection(true), sink, { dumpLevel: 1 });
    expect(sink.bytes()).toEqual((await write(true)).bytes);
  });
});

describe('a sink that takes the file in order only (a download stream)', () => {
  for (const [what, excludeZero, encoderFor] of [
    ['zlib, zero pages excluded', true, nodeZlibEncoder],
    ['stored raw, zero pages kept', false, undefined],
  ] as const) {
    it(`gets the same file, front to back (${what}): the descriptor table first, each page encoded twice`, async () => {
      const dumpLevel = excludeZero ? 31 : 0;
      const normal = (await write(excludeZero, encoderFor, dumpLevel)).bytes;
      const stream = new MemorySequentialSink();
      const sink = new InOrderSink(stream);
      const dump = await source();
      const progress: number[][] = [];
      const r = await writeKdump(dump, selection(excludeZero), sink, { dumpLevel, encoder: encoderFor?.(dump), batchPages: 5, onProgress: (done, total) => progress.push([done, total]) });
      await sink.close();
      expect(stream.bytes()).toEqual(normal);
      expect(r.fileSize).toBe(normal.length);
      expect(progress.at(-1)).toEqual([2 * dumpable.length, 2 * dumpable.length]);
    });
  }

  it('refuses a write behind the bytes already sent, and fills what was skipped with zeros', async () => {
    const stream = new MemorySequentialSink();
    const sink = new InOrderSink(stream);
    await sink.write(4, new Uint8Array([1, 2]));
    await expect(sink.write(5, new Uint8Array([3]))).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
    await sink.write(8, new Uint8Array([4]));
    await sink.close();
    expect([...stream.bytes()]).toEqual([0, 0, 0, 0, 1, 2, 0, 0, 4]);
  });
});

describe('flattened format', () => {
  it('-F stream restores (-R) to exactly the normal file', async () => {
    const normal = (await write(true, nodeZlibEncoder, 31)).bytes;
    const stream = new MemorySequentialSink();
    const flat = new FlattenedSink(stream);
    const dump = await source();
    await writeKdump(dump, selection(true), flat, { dumpLevel: 31, encoder: nodeZlibEncoder(dump) });
    await flat.close();
    const s = stream.bytes();
    expect(new TextDecoder().decode(s.subarray(0, 12))).toBe('makedumpfile');
    const v = new DataView(s.buffer);
    expect(v.getBigInt64(16, false)).toBe(1n);
    expect(v.getBigInt64(24, false)).toBe(1n);
    expect(v.getBigInt64(FLAT_HEADER_SIZE, false)).toBe(0n); // first record: the header at offset 0
    expect(v.getBigInt64(FLAT_HEADER_SIZE + 8, false)).toBe(464n);
    expect(v.getBigInt64(s.length - 16, false)).toBe(-1n);
    expect(v.getBigInt64(s.length - 8, false)).toBe(-1n);
    // Fed in awkward chunk sizes.
    async function* chunks() {
      for (let at = 0; at < s.length; at += 777) yield s.subarray(at, at + 777);
    }
    const out = new MemorySink();
    const r = await restoreFlattened(chunks(), out);
    expect(r.fileSize).toBe(normal.length);
    expect(r.inputBytes).toBe(s.length);
    expect(out.bytes()).toEqual(normal);
  });

  it('rejects a stream without the signature, and a truncated one', async () => {
    async function* one(b: Uint8Array) {
      yield b;
    }
    await expect(restoreFlattened(one(new Uint8Array(5000)), new MemorySink())).rejects.toMatchObject({ code: 'E_UNKNOWN_FORMAT' });
    const stream = new MemorySequentialSink();
    const flat = new FlattenedSink(stream);
    await flat.write(100, new Uint8Array(50).fill(1));
    await flat.close();
    const s = stream.bytes();
    await expect(restoreFlattened(one(s.subarray(0, s.length - 16)), new MemorySink())).rejects.toMatchObject({ code: 'E_TRUNCATED' });
    await expect(restoreFlattened(one(s.subarray(0, s.length - 30)), new MemorySink())).rejects.toMatchObject({ code: 'E_TRUNCATED' });
    const out = new MemorySink();
    await restoreFlattened(one(s), out);
    expect(out.size).toBe(150);
    expect(out.bytes().subarray(100)).toEqual(new Uint8Array(50).fill(1));
  });
});

describe('Node file sink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmsieve-sink-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes NAME.partial-XXXX beside the target and renames it on close', async () => {
    const target = join(dir, 'out.kdump');
    const sink = await NodeFileSink.create(target);
    await sink.write(10, new Uint8Array([1, 2, 3]));
    await sink.write(0, new Uint8Array([9]));
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).some((f) => /^out\.kdump\.partial-[0-9a-f]{6}$/.test(f))).toBe(true);
    await sink.close();
    expect(Array.from(readFileSync(target))).toEqual([9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['out.kdump']);
  });

  it('abort deletes the partial file; an existing target is refused unless overwrite', async () => {
    const target = join(dir, 'aborted.kdump');
    const sink = await NodeFileSink.create(target);
    await sink.write(0, new Uint8Array(100));
    await sink.abort();
    await sink.abort();
    expect(readdirSync(dir).filter((f) => f.startsWith('aborted'))).toEqual([]);
    writeFileSync(target, 'x');
    await expect(NodeFileSink.create(target)).rejects.toMatchObject({ code: 'E_EXISTS' });
    const again = await NodeFileSink.create(target, { overwrite: true });
    await again.write(0, new Uint8Array([65, 66]));
    await again.close();
    expect(readFileSync(target, 'utf8')).toBe('AB');
  });
});
