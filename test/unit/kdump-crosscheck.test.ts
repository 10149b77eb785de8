import { beforeAll, describe, expect, it } from 'vitest';
import { PAGE_DESC_SIZE, decodeDiskDumpHeader } from '../../src/formats/kdump/diskdump.js';
import { isKdumpDump, type KdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { reassemble } from '../../src/formats/kdump/reassemble.js';
import { openDump, openDumps } from '../../src/formats/open-dump.js';
import { MemorySink } from '../../src/io/sink.js';
import { MemorySource } from '../../src/io/source.js';
import { readDmesg } from '../../src/kernel/dmesg/index.js';
import { instantiateKernels } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { makeFuzzBases, type FuzzBases } from '../helpers/fuzz-bases.js';
import { kdumpLayout, splitSetOf } from '../helpers/fuzz-kdump.js';

/**
 * A kdump-compressed file's parts are checked against each other as they are read (issue 27): a contradiction is an
 * E_CORRUPT naming where it is, never a dump whose pages silently shifted.
 */

let bases: FuzzBases;
beforeAll(async () => {
  bases = await makeFuzzBases(await instantiateKernels(await nodeWasmModule()));
});

const open = (bytes: Uint8Array, name = 'corrupt.kdump') => openDump(new MemorySource(bytes, name));

/** Every page the dump holds, read through its descriptors (what an export reads). */
async function readAll(d: KdumpDump): Promise<Map<number, Uint8Array>> {
  const out = new Map<number, Uint8Array>();
  for await (const { pfn, desc } of d.descriptors()) out.set(pfn, await d.decodePage(pfn, desc));
  return out;
}

describe('the 2nd bitmap against the descriptor table', () => {
  for (const set of [true, false])
    it(`one bit ${set ? 'set' : 'cleared'} in the 2nd bitmap is refused at open, naming both`, async () => {
      const b = bases.kdumpZlib.slice();
      const l = kdumpLayout(b);
      // A pfn in memory (1st bitmap) whose 2nd-bitmap bit is `!set`, past the first few pages.
      let pfn = 4096;
      while (((b[l.bitmap1At + (pfn >> 3)]! >> (pfn & 7)) & 1) === 0 || (((b[l.bitmap2At + (pfn >> 3)]! >> (pfn & 7)) & 1) === 1) === set) pfn++;
      b[l.bitmap2At + (pfn >> 3)]! ^= 1 << (pfn & 7);
      await expect(open(b)).rejects.toMatchObject({ code: 'E_CORRUPT', message: /corrupt\.kdump: the 2nd bitmap lists \d+ pages, so page data starts at byte \d+, but the first page descriptor .* points at byte \d+/ });
    });

  it('a page in the 2nd bitmap but not in the 1st is refused', async () => {
    const b = bases.kdumpZlib.slice();
    const l = kdumpLayout(b);
    let pfn = 0;
    while (((b[l.bitmap2At + (pfn >> 3)]! >> (pfn & 7)) & 1) === 0) pfn++;
    b[l.bitmap1At + (pfn >> 3)]! &= ~(1 << (pfn & 7));
    await expect(open(b)).rejects.toMatchObject({ code: 'E_CORRUPT', message: new RegExp(`pfn 0x${pfn.toString(16)} is in the 2nd bitmap .* but not in the 1st`) });
  });
});

describe('page descriptors, checked as they are read', () => {
  async function withDescriptor(index: number, change: (v: DataView, at: number) => void): Promise<KdumpDump> {
    const b = bases.kdumpZlib.slice();
    const l = kdumpLayout(b);
    change(new DataView(b.buffer), l.descAt + index * PAGE_DESC_SIZE);
    const d = await open(b);
    if (!isKdumpDump(d)) throw new Error('not kdump');
    return d;
  }
  it.each([
    ['pointing back at an earlier page', (v: DataView, at: number) => v.setBigInt64(at, v.getBigInt64(at - 2 * PAGE_DESC_SIZE, true), true), /before the end .* pfn order/],
    ['pointing into the descriptor table', (v: DataView, at: number) => v.setBigInt64(at, 40000n, true), /before the end/],
    ['claiming more than a page', (v: DataView, at: number) => v.setUint32(at + 8, 4097, true), /claims 4097 stored bytes/],
    ['raw but short', (v: DataView, at: number) => v.setUint32(at + 12, 0, true), /is raw but \d+ bytes/],
  ])('a descriptor %s is E_CORRUPT with its number and place', async (_what, change, message) => {
    const good = await open(bases.kdumpZlib);
    if (!isKdumpDump(good)) throw new Error('not kdump');
    // A compressed page well inside the table, not the shared zero page.
    let index = 0;
    let chosen = -1;
    for await (const { desc } of good.descriptors()) {
      if (index > 1500 && desc.flags !== 0 && desc.size < 4000) {
        chosen = index;
        break;
      }
      index++;
    }
    const d = await withDescriptor(chosen, change);
    await expect(readAll(d)).rejects.toMatchObject({ code: 'E_CORRUPT', message: new RegExp(`page descriptor ${chosen} \\(at byte \\d+\\) `) });
    await expect(readAll(d)).rejects.toThrow(message);
  });
});

describe('notes and VMCOREINFO', () => {
  it('a moved offset_note is refused (it was read as no notes and exported as "Kernel release unknown")', async () => {
    const b = bases.kdumpZlib.slice();
    const bs = decodeDiskDumpHeader(b, 'little').blockSize;
    const v = new DataView(b.buffer);
    v.setBigUint64(bs + 48, v.getBigUint64(bs + 48, true) + 4n, true);
    await expect(open(b).then(() => 'opened')).rejects.toMatchObject({ code: 'E_CORRUPT', message: /offset_note .*is corrupt/ });
  });

  it('a moved offset_vmcoreinfo is refused', async () => {
    const b = bases.kdumpZlib.slice();
    const bs = decodeDiskDumpHeader(b, 'little').blockSize;
    const v = new DataView(b.buffer);
    v.setBigUint64(bs + 32, v.getBigUint64(bs + 32, true) - 16n, true);
    await expect(open(b)).rejects.toMatchObject({ code: 'E_CORRUPT' });
  });

  it('a VMCOREINFO key written twice: the first value is used (as makedumpfile), with a warning naming both', async () => {
    const clean = await open(bases.elf, 'clean.vmcore');
    const text = clean.vmcoreinfo!.raw;
    const key = 'OFFSET(printk_info.text_len)';
    const value = clean.vmcoreinfo!.get(key)!;
    // A later line of at least the same length rewritten in place to give the key again with a wrong value.
    const lines = text.split('\n');
    const from = lines.findIndex((l) => l.startsWith(`${key}=`));
    const wrong = `${key}=${Number(value) + 8}`;
    const victim = lines.findIndex((l) => l.startsWith('NUMBER(KERNEL_IMAGE_SIZE)='));
    expect(victim).toBeGreaterThan(from);
    expect(lines[victim]!.length).toBeGreaterThanOrEqual(wrong.length);
    const b = bases.elf.slice();
    const at = Buffer.from(b.buffer, b.byteOffset, b.length).indexOf(`\n${lines[victim]}\n`) + 1;
    b.set(new TextEncoder().encode(wrong.padEnd(lines[victim]!.length, ' ')), at);
    const dup = await open(b, 'dup.vmcore');
    expect(dup.vmcoreinfo!.get(key)).toBe(value);
    expect(dup.warnings?.find((w) => w.code === 'W_VMCOREINFO_CONFLICT')?.message).toContain(`${key} ("${value}", then "${Number(value) + 8}`);
    const log = await readDmesg(dup);
    const want = await readDmesg(clean);
    expect(log.records.map((r) => r.text)).toEqual(want.records.map((r) => r.text));
  });
});

describe('split members', () => {
  it('a descriptor of the last member pointing at the shared zero page with a page of its own size is refused by the set and by --reassemble', async () => {
    const members = await splitSetOf(bases.kdumpZlib, 3);
    const last = members[members.length - 1]!;
    const l = kdumpLayout(last);
    const v = new DataView(last.buffer, last.byteOffset, last.byteLength);
    // The first compressed page of the member now points at the zero page (the data start), keeping its size.
    let i = 0;
    while (v.getUint32(l.descAt + i * PAGE_DESC_SIZE + 12, true) === 0) i++;
    v.setBigInt64(l.descAt + i * PAGE_DESC_SIZE, BigInt(l.dataStart), true);
    // The descriptor is in the first block of the member's table, checked when the member is opened: neither the
    // set (export) nor --reassemble gets to read it.
    const sources = () => members.map((m, k) => new MemorySource(m, `member${k}`));
    await expect(openDumps(sources()).then(() => 'opened')).rejects.toMatchObject({ code: 'E_CORRUPT', message: /member2: page descriptor \d+ .* points at the shared zero page/ });
    await expect(Promise.all(sources().map(openDump)).then((ms) => reassemble(ms as KdumpDump[], new MemorySink()))).rejects.toMatchObject({ code: 'E_CORRUPT' });
  });

  it('a descriptor of the last member made a well-formed zero-page reference: the set and its --reassemble hold the same pages', async () => {
    const members = await splitSetOf(bases.kdumpZlib, 3);
    const last = members[members.length - 1]!;
    const l = kdumpLayout(last);
    const v = new DataView(last.buffer, last.byteOffset, last.byteLength);
    // A compressed page of the member (a well-formed zero-page reference is legitimate: nothing refuses it).
    const own = ((await open(last)) as KdumpDump).numDumpable;
    let i = own >> 1;
    while (i < own && v.getUint32(l.descAt + i * PAGE_DESC_SIZE + 12, true) === 0) i++;
    expect(i).toBeLessThan(own);
    v.setBigInt64(l.descAt + i * PAGE_DESC_SIZE, BigInt(l.dataStart), true);
    v.setUint32(l.descAt + i * PAGE_DESC_SIZE + 8, l.blockSize, true);
    v.setUint32(l.descAt + i * PAGE_DESC_SIZE + 12, 0, true);
    const sources = () => members.map((m, k) => new MemorySource(m, `member${k}`));
    const set = (await openDumps(sources())) as KdumpDump;
    const sink = new MemorySink();
    await reassemble((await Promise.all(sources().map(openDump))) as KdumpDump[], sink);
    const joined = (await open(sink.bytes().slice(), 'joined.kdump')) as KdumpDump;
    const a = await readAll(set);
    const b = await readAll(joined);
    expect(b.size).toBe(a.size);
    let differ = 0;
    for (const [pfn, page] of a) if (Buffer.compare(b.get(pfn)!, page) !== 0) differ++;
    expect(differ).toBe(0);
  });

  it('an intact set reads every page the whole file holds', async () => {
    const whole = (await open(bases.kdumpZlib)) as KdumpDump;
    const set = (await openDumps((await splitSetOf(bases.kdumpZlib, 3)).map((m, k) => new MemorySource(m, `m${k}`)))) as KdumpDump;
    const a = await readAll(whole);
    const b = await readAll(set);
    expect(b.size).toBe(a.size);
    for (const [pfn, page] of a) expect(Buffer.compare(b.get(pfn)!, page), `pfn ${pfn}`).toBe(0);
  });
});

