import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildElfCore, prstatusNote, vmcoreinfoNote } from '../helpers/elf-builder.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { formatRecord, readDmesg, readDmesgFromKernel } from '../../src/kernel/dmesg/index.js';
import { memoryDump, PAGE_OFFSET, PhysImage, symbolLines } from '../helpers/memory-dump.js';

// ---------------------------------------------------------------------------------------------------------------
// 5.10+ lockless ring, laid out as Linux 6.1 x86_64 does (the offsets of the dev-kdump fixture's VMCOREINFO).
// ---------------------------------------------------------------------------------------------------------------

const PRB_KEYS = `SIZE(printk_ringbuffer)=88
OFFSET(printk_ringbuffer.desc_ring)=0
OFFSET(printk_ringbuffer.text_data_ring)=48
OFFSET(printk_ringbuffer.fail)=80
SIZE(prb_desc_ring)=48
OFFSET(prb_desc_ring.count_bits)=0
OFFSET(prb_desc_ring.descs)=8
OFFSET(prb_desc_ring.infos)=16
OFFSET(prb_desc_ring.head_id)=24
OFFSET(prb_desc_ring.tail_id)=32
SIZE(prb_desc)=24
OFFSET(prb_desc.state_var)=0
OFFSET(prb_desc.text_blk_lpos)=8
SIZE(prb_data_blk_lpos)=16
OFFSET(prb_data_blk_lpos.begin)=0
OFFSET(prb_data_blk_lpos.next)=8
SIZE(printk_info)=88
OFFSET(printk_info.seq)=0
OFFSET(printk_info.ts_nsec)=8
OFFSET(printk_info.text_len)=16
OFFSET(printk_info.caller_id)=20
OFFSET(printk_info.dev_info)=24
SIZE(dev_printk_info)=64
OFFSET(dev_printk_info.subsystem)=0
LENGTH(printk_info_subsystem)=16
OFFSET(dev_printk_info.device)=16
LENGTH(printk_info_device)=48
SIZE(prb_data_ring)=32
OFFSET(prb_data_ring.size_bits)=0
OFFSET(prb_data_ring.data)=8
OFFSET(prb_data_ring.head_lpos)=16
OFFSET(prb_data_ring.tail_lpos)=24
SIZE(atomic_long_t)=8
OFFSET(atomic_long_t.counter)=0
SIZE(latched_seq)=24
OFFSET(latched_seq.val)=8
`;

const MASK = (1n << 62n) - 1n;
const STATE = { reserved: 0n, committed: 1n, finalized: 2n, reusable: 3n } as const;
type State = keyof typeof STATE;

interface Msg {
  text: string | Uint8Array;
  tsNsec: bigint;
  level?: number;
  facility?: number;
  caller?: number;
  subsystem?: string;
  device?: string;
  state?: State;
  /** Store a larger text_len than the block holds (makedumpfile clamps it to the block). */
  claimLen?: number;
  /** No data block (the kernel's FAILED_LPOS): the record is skipped. */
  dataless?: boolean;
}

/**
 * Writes records the way kernel/printk/printk_ringbuffer.c allocates them: ids from DESC0_ID (so they cross the
 * 2^62 id wrap), seq = desc index then += count per reuse, data blocks of ALIGN(8 + len, 8) bytes from
 * BLK0_LPOS = -size, a block that would cross the ring end stored at offset 0 of the next wrap.
 * Records whose descriptor slot or data got overwritten are gone; tail_id is the oldest survivor.
 */
function buildRing(countBits: number, sizeBits: number, msgs: Msg[]) {
  const img = new PhysImage(1 << 20);
  const count = 1 << countBits;
  const size = 1 << sizeBits;
  const sizeN = BigInt(size);
  const prbVar = img.alloc(8, 8);
  const rb = img.alloc(88);
  const descs = img.alloc(24 * count);
  const infos = img.alloc(88 * count);
  const data = img.alloc(size);
  const clearSeq = img.alloc(24, 8);
  img.u64(prbVar, rb);
  img.u32(rb + 0n, countBits);
  img.u64(rb + 8n, descs);
  img.u64(rb + 16n, infos);
  img.u32(rb + 48n, sizeBits);
  img.u64(rb + 56n, data);

  const desc0 = BigInt.asUintN(64, -(BigInt(count) + 1n)) & MASK;
  let id = desc0;
  let headLpos = BigInt.asUintN(64, -sizeN);
  const seqOfSlot = new Map<number, bigint>();
  const live: Array<{ id: bigint; begin: bigint; at: bigint; msg: Msg; seq: bigint }> = [];
  const rel = (lpos: bigint) => BigInt.asIntN(64, lpos); // lpos as a signed offset from BLK0_LPOS's wrap
  for (const msg of msgs) {
    id = (id + 1n) & MASK;
    const slot = Number(id % BigInt(count));
    const prev = seqOfSlot.get(slot);
    const seq = prev === undefined ? BigInt(slot) : prev + BigInt(count);
    seqOfSlot.set(slot, seq);
    const textBytes = typeof msg.text === 'string' ? new TextEncoder().encode(msg.text) : msg.text;
    const d = descs + BigInt(slot * 24);
    const inf = infos + BigInt(slot * 88);
    img.u64(d, (STATE[msg.state ?? 'finalized'] << 62n) | id);
    img.u64(inf + 0n, seq);
    img.u64(inf + 8n, msg.tsNsec);
    img.u16(inf + 16n, msg.claimLen ?? textBytes.length);
    img.u8(inf + 18n, msg.facility ?? 0);
    img.u8(inf + 19n, ((msg.level ?? 6) << 5) | 2);
    img.u32(inf + 20n, msg.caller ?? 1);
    if (msg.subsystem) img.set(inf + 24n, msg.subsystem);
    if (msg.device) img.set(inf + 40n, msg.device);
    if (msg.dataless) {
      img.u64(d + 8n, 1n);
      img.u64(d + 16n, 1n);
      continue;
    }
    const blk = BigInt(Math.ceil((8 + textBytes.length) / 8) * 8);
    const begin = rel(headLpos);
    let next = begin + blk;
    const bits = BigInt(sizeBits);
    if (begin >> bits !== next >> bits) next = ((next >> bits) << bits) + blk;
    const at = next - blk; // where the data really sits: offset 0 of the next wrap if the block wrapped
    const off = ((at % sizeN) + sizeN) % sizeN;
    img.u64(data + off, id);
    img.set(data + off + 8n, textBytes);
    img.u64(d + 8n, begin);
    img.u64(d + 16n, next);
    headLpos = BigInt.asUintN(64, next);
    live.push({ id, begin, at, msg, seq });
  }
  const headId = id;
  const head = rel(headLpos);
  // The data tail has been pushed to head - size: blocks that began before it are invalid (descriptor reusable).
  // The descriptor tail is the oldest id whose slot was not reused (it may be reusable: readers skip it).
  const inRing = (x: bigint) => ((headId - x) & MASK) < BigInt(count);
  const survivors = live.filter((r) => inRing(r.id) && r.begin >= head - sizeN);
  for (const r of live)
    if (inRing(r.id) && !survivors.includes(r)) img.u64(descs + BigInt(Number(r.id % BigInt(count)) * 24), (STATE.reusable << 62n) | r.id);
  const used = msgs.length;
  const tailId = used >= count ? (headId - BigInt(count) + 1n) & MASK : (desc0 + 1n) & MASK;
  img.u64(rb + 24n, headId);
  img.u64(rb + 32n, tailId);
  const info = `OSRELEASE=6.1.0-test\nPAGESIZE=4096\n${symbolLines({ prb: prbVar, clear_seq: clearSeq })}${PRB_KEYS}`;
  return { img, info, clearSeq, survivors, headId, tailId, dump: () => memoryDump(img, info) };
}

const ts = (sec: number, usec: number) => BigInt(sec) * 1_000_000_000n + BigInt(usec) * 1000n + 123n;

describe('record text as makedumpfile 1.7.2 prints it', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  test('timestamp, newline indentation, kept whitespace, escapes of control and high bytes', () => {
    expect(formatRecord(ts(0, 0), enc('plain'))).toBe('[    0.000000] plain\n');
    expect(formatRecord(ts(123456, 7), enc('x'))).toBe('[123456.000007] x\n');
    expect(formatRecord(ts(1, 2), enc('a\nb'))).toBe(`[    1.000002] a\n${' '.repeat(15)}b\n`);
    expect(formatRecord(ts(1, 2), enc('a\nb'), 0)).toBe(`[    1.000002] [      T0] a\n${' '.repeat(26)}b\n`);
    expect(formatRecord(ts(1, 2), enc('x'), 0x80000003)).toBe('[    1.000002] [      C3] x\n');
    expect(formatRecord(ts(1, 2), enc('t\tv\vf\fr\r.'))).toBe('[    1.000002] t\tv\vf\fr\r.\n');
    expect(formatRecord(ts(1, 2), new Uint8Array([0x41, 0x00, 0x01, 0x1b, 0x7f, 0x42]))).toBe('[    1.000002] A\\x00\\x01\\x1b\\x7fB\n');
    // char is signed on x86_64: "é" (c3 a9) is printed with %02x of a negative int.
    expect(formatRecord(ts(1, 2), enc('é'))).toBe('[    1.000002] \\xffffffc3\\xffffffa9\n');
    expect(formatRecord(ts(1, 2), new Uint8Array())).toBe('[    1.000002] \n');
  });
});

describe('5.10+ lockless printk ring (synthetic)', () => {
  // 8 descriptors, 128-byte text ring: 13 records overwrite the oldest, the ids cross 2^62 → 0, blocks wrap.
  const msgs: Msg[] = [];
  for (let i = 0; i < 10; i++) msgs.push({ text: `old message ${i}`, tsNsec: ts(0, i) });
  msgs.push({ text: 'multi\nline\x01é', tsNsec: ts(2, 500000), level: 3, facility: 0, caller: 0x80000001, subsystem: 'pci', device: '+pci:0000:00:01.0' });
  msgs.push({ text: 'committed, not finalized', tsNsec: ts(3, 1), state: 'committed', level: 0 });
  msgs.push({ text: 'half-written', tsNsec: ts(3, 2), state: 'reserved' });
  const ring = buildRing(3, 7, msgs);

  test('prints the committed and finalized survivors in id order, skipping the reserved head; wrapped blocks read from offset 0', async () => {
    const r = await readDmesg(ring.dump());
    const want = ring.survivors.filter((s) => s.msg.state !== 'reserved');
    expect(r.layout).toBe('printk_ringbuffer');
    expect(r.records.map((x) => x.text)).toEqual(want.map((s) => s.msg.text));
    // The scenario really exercises what it claims to.
    expect(want.length).toBeGreaterThanOrEqual(3);
    expect(want.length).toBeLessThan(msgs.length - 1);
    expect(ring.tailId > 1n << 61n && ring.headId < 8n).toBe(true); // the walk crosses the 2^62 id wrap
    expect(ring.survivors.length).toBeLessThan(8); // the text ring, not the descriptor ring, limited what survived
    const last = r.records.at(-1)!;
    expect(last).toMatchObject({ text: 'committed, not finalized', level: 0, time: '3.000001' });
    const multi = r.records.find((x) => x.text.startsWith('multi'))!;
    expect(multi).toMatchObject({ level: 3, facility: 0, callerId: 0x80000001, caller: 'C1', subsystem: 'pci', device: '+pci:0000:00:01.0', text: 'multi\nline\x01é' });
    expect(r.log.endsWith(`[    2.500000] multi\n${' '.repeat(15)}line\\x01\\xffffffc3\\xffffffa9\n[    3.000001] committed, not finalized\n`)).toBe(true);
    expect(r.log).not.toContain('half-written');
    const seqs = r.records.map((x) => x.seq);
    expect(seqs).toEqual(want.map((s) => Number(s.seq)));
  });

  test('a text block that wrapped past the ring end is read from offset 0', async () => {
    // 128-byte ring: "old message N" blocks are 24 bytes, so a block starting at 120 must wrap.
    const wrapped = ring.survivors.filter((s) => s.at !== s.begin);
    expect(wrapped.length).toBeGreaterThan(0);
    const r = await readDmesg(ring.dump());
    for (const w of wrapped) expect(r.records.map((x) => x.text)).toContain(w.msg.text);
  });

  test('caller column on request (upstream makedumpfile format)', async () => {
    const r = await readDmesg(ring.dump(), { callerId: true });
    expect(r.log).toContain('[    2.500000] [      C1] multi\n                          line');
  });

  test('text_len larger than the block is clamped; data-less records are skipped', async () => {
    const b = buildRing(4, 10, [
      { text: 'first', tsNsec: ts(1, 0) },
      { text: 'gone', tsNsec: ts(1, 1), dataless: true },
      { text: 'abc', tsNsec: ts(1, 2), claimLen: 200 },
      { text: 'last', tsNsec: ts(1, 3) },
    ]);
    const r = await readDmesg(b.dump());
    // "abc" sits in a 16-byte block: 8 bytes of id, then 8 bytes, of which 5 are zero padding.
    expect(r.log).toBe('[    1.000000] first\n[    1.000002] abc\\x00\\x00\\x00\\x00\\x00\n[    1.000003] last\n');
  });

  test('--partial-dmesg starts at clear_seq, read through the latch (val[seq & 1])', async () => {
    const b = buildRing(4, 10, Array.from({ length: 10 }, (_, i) => ({ text: `m${i}`, tsNsec: ts(1, i) })));
    b.img.u32(b.clearSeq, 1); // latch sequence odd → val[1]
    b.img.u64(b.clearSeq + 8n, 2n);
    b.img.u64(b.clearSeq + 16n, 7n);
    const r = await readDmesg(b.dump(), { partial: true });
    expect(r.records.map((x) => x.text)).toEqual(['m7', 'm8', 'm9']);
    // Cleared with nothing logged since: empty (makedumpfile 1.7.2 loops through the whole id space here).
    b.img.u32(b.clearSeq, 0);
    b.img.u64(b.clearSeq + 8n, 10n);
    expect((await readDmesg(b.dump(), { partial: true })).log).toBe('');
    // The whole log without --partial-dmesg.
    expect((await readDmesg(b.dump())).records).toHaveLength(10);
  });

  test('--partial-dmesg with clear_seq in the previous lap of the descriptor ring', async () => {
    // 8 descriptors, 12 records (seq 0..11), clear_seq 6: slot 6 lies after head's slot (11 % 8 = 3).
    const b = buildRing(3, 10, Array.from({ length: 12 }, (_, i) => ({ text: `m${i}`, tsNsec: ts(1, i) })));
    b.img.u64(b.clearSeq + 8n, 6n);
    const r = await readDmesg(b.dump(), { partial: true });
    expect(r.records.map((x) => x.text)).toEqual(['m6', 'm7', 'm8', 'm9', 'm10', 'm11']);
  });

  test('missing VMCOREINFO keys are named', async () => {
    const img = new PhysImage(1 << 16);
    const dump = memoryDump(img, `SYMBOL(prb)=${(0xffff888000001000n).toString(16)}\nSIZE(printk_ringbuffer)=88\n`);
    await expect(readDmesg(dump)).rejects.toThrow(/OFFSET\(printk_ringbuffer.desc_ring\)/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 3.5 – 5.9 log_buf of struct printk_log records, and the pre-3.5 plain-text log_end buffer.
// ---------------------------------------------------------------------------------------------------------------

interface LogRec {
  text: string;
  tsNsec: bigint;
  level?: number;
  dict?: string;
  caller?: number;
}

/** struct printk_log: ts_nsec u64, len u16, text_len u16, dict_len u16, facility u8, flags:5 level:3 [, caller_id u32]. */
function encodeRecord(r: LogRec, withCaller: boolean): Uint8Array {
  const hdr = withCaller ? 24 : 16;
  const text = new TextEncoder().encode(r.text);
  const dict = new TextEncoder().encode(r.dict ?? '');
  const len = Math.ceil((hdr + text.length + dict.length) / 8) * 8;
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, r.tsNsec, true);
  v.setUint16(8, len, true);
  v.setUint16(10, text.length, true);
  v.setUint16(12, dict.length, true);
  v.setUint8(14, 0);
  v.setUint8(15, ((r.level ?? 6) << 5) | 2);
  if (withCaller) v.setUint32(16, r.caller ?? 0, true);
  b.set(text, hdr);
  b.set(dict, hdr + text.length);
  return b;
}

function buildLogBuf(opts: {
  bufLen: number;
  /** Records placed at explicit offsets; an offset with `end: true` gets a zero-length wrap marker. */
  place: Array<{ at: number; rec?: LogRec; end?: boolean; len?: number }>;
  first: number;
  next: number;
  clear?: number;
  withCaller?: boolean;
  keyName?: 'printk_log' | 'log';
}) {
  const img = new PhysImage(1 << 16);
  const buf = img.alloc(opts.bufLen);
  const vars = img.alloc(64, 8);
  const sym = { log_buf: vars, log_buf_len: vars + 8n, log_first_idx: vars + 16n, log_next_idx: vars + 20n, clear_idx: vars + 24n };
  img.u64(sym.log_buf, buf);
  img.i32(sym.log_buf_len, opts.bufLen);
  img.u32(sym.log_first_idx, opts.first);
  img.u32(sym.log_next_idx, opts.next);
  img.u32(sym.clear_idx, opts.clear ?? opts.first);
  for (const p of opts.place) {
    if (p.end) img.u16(buf + BigInt(p.at) + 8n, 0);
    else {
      const bytes = encodeRecord(p.rec!, !!opts.withCaller);
      if (p.len !== undefined) new DataView(bytes.buffer).setUint16(8, p.len, true);
      img.set(buf + BigInt(p.at), bytes);
    }
  }
  const n = opts.keyName ?? 'printk_log';
  let info = `OSRELEASE=4.19.0-test\nPAGESIZE=4096\n${symbolLines(sym)}SIZE(${n})=${opts.withCaller ? 24 : 16}\nOFFSET(${n}.ts_nsec)=0\nOFFSET(${n}.len)=8\nOFFSET(${n}.text_len)=10\n`;
  if (opts.withCaller) info += 'OFFSET(printk_log.caller_id)=16\n';
  return memoryDump(img, info);
}

describe('3.5 – 5.9 log_buf records (synthetic)', () => {
  const a: LogRec = { text: 'zero at 0 (printed after the wrap)', tsNsec: ts(5, 3), level: 4 };
  const b: LogRec = { text: 'after the wrap', tsNsec: ts(5, 4), dict: 'SUBSYSTEM=usb\0DEVICE=c189:1' };
  const old1: LogRec = { text: 'oldest', tsNsec: ts(5, 1), level: 2 };
  const old2: LogRec = { text: 'line1\nline2\x07', tsNsec: ts(5, 2) };
  // 256-byte buffer: [0] a (56 B) [56] b (64 B) ... [128] old1 (24 B) [152] old2 (32 B) [184] end marker.
  const place = [
    { at: 0, rec: a },
    { at: 56, rec: b },
    { at: 128, rec: old1 },
    { at: 152, rec: old2 },
    { at: 184, end: true },
  ];

  test('walks first_idx → wrap marker → record 0 → next_idx', async () => {
    expect(encodeRecord(a, false).length).toBe(56);
    expect(encodeRecord(b, false).length).toBe(64);
    expect(encodeRecord(old1, false).length).toBe(24);
    expect(encodeRecord(old2, false).length).toBe(32);
    const r = await readDmesg(buildLogBuf({ bufLen: 256, place, first: 128, next: 120 }));
    expect(r.layout).toBe('printk_log');
    expect(r.complete).toBe(true);
    // The marker's slot prints record 0, and the walk goes on after record 0: so record 0 appears once.
    expect(r.log).toBe(
      '[    5.000001] oldest\n' +
        `[    5.000002] line1\n${' '.repeat(15)}line2\\x07\n` +
        '[    5.000003] zero at 0 (printed after the wrap)\n' +
        '[    5.000004] after the wrap\n',
    );
    expect(r.records.map((x) => [x.seq, x.level])).toEqual([[0, 2], [1, 6], [2, 4], [3, 6]]);
    expect(r.records[3]).toMatchObject({ subsystem: 'usb', device: 'c189:1' });
  });

  test('--partial-dmesg starts at clear_idx; the pre-3.11 "log" key names work', async () => {
    const r = await readDmesg(buildLogBuf({ bufLen: 256, place, first: 128, next: 120, clear: 56, keyName: 'log' }), { partial: true });
    expect(r.records.map((x) => x.text)).toEqual(['after the wrap']);
  });

  test('caller_id (5.1+ PRINTK_CALLER) is read, and printed only on request', async () => {
    const recs = [
      { at: 0, rec: { text: 'x', tsNsec: ts(1, 0), caller: 42 } },
      { at: 32, rec: { text: 'y', tsNsec: ts(1, 1), caller: 0x80000002 } },
    ];
    const dump = buildLogBuf({ bufLen: 128, place: recs, first: 0, next: 64, withCaller: true });
    expect((await readDmesg(dump)).log).toBe('[    1.000000] x\n[    1.000001] y\n');
    const r = await readDmesg(dump, { callerId: true });
    expect(r.log).toBe('[    1.000000] [     T42] x\n[    1.000001] [      C2] y\n');
    expect(r.records.map((x) => x.caller)).toEqual(['T42', 'C2']);
  });

  test('a corrupt log that loops back prints the cycle once and reports failure', async () => {
    // r0 → r1 → r2 → wrap marker, which prints record 0 again and continues at record 0's successor (r1):
    // a cycle that never reaches next_idx.
    const recs = [
      { at: 0, rec: { text: 'r0', tsNsec: ts(1, 0) } },
      { at: 24, rec: { text: 'r1', tsNsec: ts(1, 1) } },
      { at: 48, rec: { text: 'r2', tsNsec: ts(1, 2) } },
      { at: 72, end: true },
    ];
    const r = await readDmesg(buildLogBuf({ bufLen: 128, place: recs, first: 0, next: 100 }));
    expect(r.complete).toBe(false);
    expect(r.warnings.map((w) => w.code)).toEqual(['E_DMESG_CYCLE']);
    expect(r.records.map((x) => x.text)).toEqual(['r0', 'r1', 'r2', 'r0']);
  });

  test('an index outside log_buf stops the walk after the record that produced it', async () => {
    const recs = [
      { at: 0, rec: { text: 'ok', tsNsec: ts(1, 0) } },
      { at: 24, rec: { text: 'bad len', tsNsec: ts(1, 1) }, len: 200 },
    ];
    const r = await readDmesg(buildLogBuf({ bufLen: 128, place: recs, first: 0, next: 64 }));
    expect(r.complete).toBe(false);
    expect(r.records.map((x) => x.text)).toEqual(['ok', 'bad len']);
    expect(r.warnings[0].code).toBe('E_DMESG_INDEX');
  });

  test('pre-3.5 plain-text log_buf: the last log_buf_len bytes, oldest first', async () => {
    const img = new PhysImage(1 << 16);
    const buf = img.alloc(16);
    const vars = img.alloc(32, 8);
    img.u64(vars, buf);
    img.i32(vars + 8n, 16);
    img.u32(vars + 16n, 16 * 3 + 5); // log_end: 53 bytes ever written → index 5
    img.set(buf, 'FGHIJklmnopqrstuABCDE'.slice(0, 16));
    const info = `OSRELEASE=2.6.32-test\n${symbolLines({ log_buf: vars, log_buf_len: vars + 8n, log_end: vars + 16n })}`;
    const r = await readDmesg(memoryDump(img, info));
    expect(r.layout).toBe('log_end');
    expect(r.log).toBe('klmnopqrstuFGHIJ');
    img.u32(vars + 16n, 7);
    expect((await readDmesg(memoryDump(img, info))).log).toBe('FGHIJkl');
  });

  test('readDmesgFromKernel accepts any reader of kernel memory', async () => {
    const dump = buildLogBuf({ bufLen: 256, place, first: 128, next: 120 });
    const km = KernelMemory.open(dump);
    const r = await readDmesgFromKernel({ info: km.info, byteOrder: km.byteOrder, readVirt: (va, n) => km.readVirt(va, n) });
    expect(r.records).toHaveLength(4);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A log_buf core that makedumpfile 1.7.2 itself reads: page tables (PGD → 1 GiB PUD page mapping the direct map),
// init_uts_ns, a SPARSEMEM_EX mem_section (initial() insists on a memory model), and the records.
// ---------------------------------------------------------------------------------------------------------------

function makedumpfileReadableLogBuf() {
  const img = new PhysImage(1 << 20);
  const dv = new DataView(img.bytes.buffer);
  dv.setBigUint64(0x1000 + 273 * 8, 0x2000n | 3n, true);
  dv.setBigUint64(0x2000, 0x83n, true);
  img.alloc(0x3000 - 0x1000, 4096);
  const uts = img.alloc(6 * 65, 64);
  ['Linux', 'test', '4.19.0-test', '#1', 'x86_64', '(none)'].forEach((s, i) => img.set(uts + BigInt(i * 65), s));
  const roots = img.alloc(2048 * 8, 4096);
  const secs = img.alloc(4096, 4096);
  const memmap = img.alloc(64 * 256, 4096);
  img.u64(roots, secs);
  img.u64(secs, memmap | 3n);
  const buf = img.alloc(256);
  const vars = img.alloc(32, 8);
  img.u64(vars, buf); img.i32(vars + 8n, 256); img.u32(vars + 16n, 128); img.u32(vars + 20n, 120); img.u32(vars + 24n, 56);
  const rec = (at: number, text: string | Uint8Array, ns: bigint, len?: number) => {
    const t = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    const l = len ?? Math.ceil((16 + t.length) / 8) * 8;
    const b = new Uint8Array(16 + t.length); const v = new DataView(b.buffer);
    v.setBigUint64(0, ns, true); v.setUint16(8, l, true); v.setUint16(10, t.length, true); v.setUint8(15, 6 << 5);
    b.set(t, 16); img.set(buf + BigInt(at), b);
  };
  rec(0, 'zero at 0 \x01\x7f', 5_000_003_123n, 56);
  rec(56, new Uint8Array([0x61, 0xc3, 0xa9, 0x0a, 0x62, 0x09, 0x0d]), 5_000_004_000n, 64);
  rec(128, 'oldest', 5_000_001_000n);
  rec(152, 'line1\nline2', 123456_000_002_000n);
  const info = `OSRELEASE=4.19.0-test\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff80001000\nNUMBER(phys_base)=0\nOFFSET(uts_namespace.name)=0\nLENGTH(mem_section)=2048\nSIZE(mem_section)=16\nOFFSET(mem_section.section_mem_map)=0\nNUMBER(SECTION_SIZE_BITS)=27\nNUMBER(MAX_PHYSMEM_BITS)=46\nSIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._refcount)=52\nOFFSET(page.mapping)=24\n` +
    symbolLines({ mem_section: roots, init_uts_ns: uts, log_buf: vars, log_buf_len: vars + 8n, log_first_idx: vars + 16n, log_next_idx: vars + 20n, clear_idx: vars + 24n }) +
    'SIZE(printk_log)=16\nOFFSET(printk_log.ts_nsec)=0\nOFFSET(printk_log.len)=8\nOFFSET(printk_log.text_len)=10\n';
  return { img, info };
}

/** What Debian's makedumpfile 1.7.2 wrote for that core (run by hand; re-run below when makedumpfile is on PATH). */
const MAKEDUMPFILE_LOG_BUF =
  '[    5.000001] oldest\n[123456.000002] line1\n                line2\n[    5.000003] zero at 0 \\x01\\x7f\n' +
  '[    5.000004] a\\xffffffc3\\xffffffa9\n               b\t\r\n';
const MAKEDUMPFILE_LOG_BUF_PARTIAL = '[    5.000004] a\\xffffffc3\\xffffffa9\n               b\t\r\n';

function hasMakedumpfile(): boolean {
  try {
    execFileSync('makedumpfile', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('log_buf records against makedumpfile 1.7.2', () => {
  const { img, info } = makedumpfileReadableLogBuf();
  test('same bytes as makedumpfile wrote (wrap marker, 6-digit seconds, high bytes, \\t \\r, --partial-dmesg)', async () => {
    expect((await readDmesg(memoryDump(img, info))).log).toBe(MAKEDUMPFILE_LOG_BUF);
    expect((await readDmesg(memoryDump(img, info), { partial: true })).log).toBe(MAKEDUMPFILE_LOG_BUF_PARTIAL);
  });

  test.skipIf(!hasMakedumpfile())('makedumpfile on PATH still agrees', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmsieve-logbuf-'));
    const core = join(dir, 'core');
    writeFileSync(core, buildElfCore({ notes: [prstatusNote(), vmcoreinfoNote(info)], loads: [{ paddr: 0, vaddr: PAGE_OFFSET, data: img.bytes }] }));
    execFileSync('makedumpfile', ['--dump-dmesg', core, join(dir, 'full')], { stdio: 'ignore', timeout: 20_000 });
    execFileSync('makedumpfile', ['--partial-dmesg', '--dump-dmesg', core, join(dir, 'partial')], { stdio: 'ignore', timeout: 20_000 });
    expect(readFileSync(join(dir, 'full'), 'latin1')).toBe(MAKEDUMPFILE_LOG_BUF);
    expect(readFileSync(join(dir, 'partial'), 'latin1')).toBe(MAKEDUMPFILE_LOG_BUF_PARTIAL);
  });
});
