/**
 * The 5.10+ lockless printk ring buffer (kernel/printk/printk_ringbuffer.[ch]), read with VMCOREINFO alone, walking it
 * as makedumpfile's printk.c dump_lockless_dmesg does:
 * - SYMBOL(prb) is a pointer variable; the printk_ringbuffer it points to holds the descriptor ring (count_bits, descs,
 *   infos, head_id, tail_id) and the text data ring (size_bits, data).
 * - ids tail_id … head_id (inclusive, +1 masked by DESC_ID_MASK) index slot id % count of descs[] and infos[];
 *   a record is printed if its state_var's id matches and its state is committed (1) or finalized (2).
 * - its text block is [begin, next) modulo the ring size; begin == next means data-less (skipped);
 *   begin > next means the block wrapped and its data sits at offset 0; the first 8 bytes are the owner id;
 *   text_len is clamped to the block.
 * - --partial-dmesg starts at the slot of clear_seq (a latched_seq: val[seq & 1]) in head's lap.
 */
import { VmsieveError } from '../../errors.js';
import type { VmcoreInfo } from '../../model/vmcoreinfo.js';
import { cString, decodeText, formatCaller, formatRecord, formatTimestamp } from './format.js';
import type { DmesgOptions, DmesgRecord, DmesgResult, DmesgWarning, KernelReader } from './types.js';
import { Fields } from '../../model/byte-order.js';

const DESC_STATE_SHIFT = 62n;
const DESC_ID_MASK = (1n << 62n) - 1n;
const DESC_COMMITTED = 1n;
const DESC_FINALIZED = 2n;
const ID_BYTES = 8;
/** Sanity limits: the kernel's CONFIG_LOG_BUF_SHIFT is at most 25, log_buf_len= at most a few GiB. */
const MAX_COUNT_BITS = 27;
const MAX_SIZE_BITS = 32;
/** Larger descriptor, info or text arrays than this are corruption (a real ring is a few MiB at most). */
const MAX_RING_BYTES = 256 << 20;

interface Layout {
  prb: bigint;
  sizeRb: number;
  descRing: number;
  textRing: number;
  countBits: number;
  descs: number;
  infos: number;
  headId: number;
  tailId: number;
  counter: number;
  sizeDesc: number;
  stateVar: number;
  textBlk: number;
  lposBegin: number;
  lposNext: number;
  sizeBits: number;
  data: number;
  sizeInfo: number;
  seq: number | undefined;
  tsNsec: number;
  textLen: number;
  callerId: number | undefined;
  devInfo: { subsystem: number; subsystemLen: number; device: number; deviceLen: number } | undefined;
  clearSeq: bigint | undefined;
  latchedVal: number | undefined;
}

function layout(info: VmcoreInfo): Layout {
  const missing: string[] = [];
  const need = (key: string, v: number | bigint | undefined): any => {
    if (v === undefined) missing.push(key);
    return v ?? 0;
  };
  const off = (name: string) => need(`OFFSET(${name})`, info.offset(name));
  const size = (name: string) => need(`SIZE(${name})`, info.size(name));
  const l: Layout = {
    prb: need('SYMBOL(prb)', info.symbol('prb')),
    sizeRb: size('printk_ringbuffer'),
    descRing: off('printk_ringbuffer.desc_ring'),
    textRing: off('printk_ringbuffer.text_data_ring'),
    countBits: off('prb_desc_ring.count_bits'),
    descs: off('prb_desc_ring.descs'),
    infos: off('prb_desc_ring.infos'),
    headId: off('prb_desc_ring.head_id'),
    tailId: off('prb_desc_ring.tail_id'),
    counter: off('atomic_long_t.counter'),
    sizeDesc: size('prb_desc'),
    stateVar: off('prb_desc.state_var'),
    textBlk: off('prb_desc.text_blk_lpos'),
    lposBegin: off('prb_data_blk_lpos.begin'),
    lposNext: off('prb_data_blk_lpos.next'),
    sizeBits: off('prb_data_ring.size_bits'),
    data: off('prb_data_ring.data'),
    sizeInfo: size('printk_info'),
    seq: info.offset('printk_info.seq'),
    tsNsec: off('printk_info.ts_nsec'),
    textLen: off('printk_info.text_len'),
    callerId: info.offset('printk_info.caller_id'),
    devInfo: undefined,
    clearSeq: info.symbol('clear_seq'),
    latchedVal: info.size('latched_seq') !== undefined ? info.offset('latched_seq.val') : undefined,
  };
  if (missing.length > 0)
    throw new VmsieveError('E_BAD_VMCOREINFO', `cannot read the printk ring buffer: VMCOREINFO lacks ${missing.join(', ')}`, { missing });
  const fits = (what: string, size: number, ...ends: (number | undefined)[]) => {
    const end = Math.max(...ends.filter((e): e is number => e !== undefined));
    if (end > size)
      throw new VmsieveError('E_BAD_VMCOREINFO', `VMCOREINFO is corrupt: a member of ${what} ends at byte ${end}, past its size ${size}`, { what });
  };
  fits('printk_ringbuffer', l.sizeRb, l.descRing + l.countBits + 4, l.descRing + l.descs + 8, l.descRing + l.infos + 8,
    l.descRing + l.headId + l.counter + 8, l.descRing + l.tailId + l.counter + 8, l.textRing + l.sizeBits + 4, l.textRing + l.data + 8);
  fits('prb_desc', l.sizeDesc, l.stateVar + l.counter + 8, l.textBlk + l.lposBegin + 8, l.textBlk + l.lposNext + 8);
  fits('printk_info', l.sizeInfo, l.textLen + 4, l.tsNsec + 8, l.seq === undefined ? undefined : l.seq + 8, l.callerId === undefined ? undefined : l.callerId + 4);
  const dev = info.offset('printk_info.dev_info');
  const sub = info.offset('dev_printk_info.subsystem');
  const subLen = info.length('printk_info_subsystem');
  const devn = info.offset('dev_printk_info.device');
  const devLen = info.length('printk_info_device');
  if (dev !== undefined && sub !== undefined && subLen !== undefined && devn !== undefined && devLen !== undefined)
    l.devInfo = { subsystem: dev + sub, subsystemLen: subLen, device: dev + devn, deviceLen: devLen };
  return l;
}

export async function readLocklessDmesg(km: KernelReader, opts: DmesgOptions = {}): Promise<DmesgResult> {
  const L = layout(km.info);
  const warnings: DmesgWarning[] = [];

  const prbAddr = await readU64(km, L.prb);
  const rb = await km.readVirt(prbAddr, L.sizeRb);
  const rbv = view(km, rb);
  const countBits = rbv.u32(L.descRing + L.countBits);
  const sizeBits = rbv.u32(L.textRing + L.sizeBits);
  if (countBits > MAX_COUNT_BITS || sizeBits > MAX_SIZE_BITS)
    throw new VmsieveError('E_UNSUPPORTED', `the printk ring buffer looks corrupt: count_bits ${countBits}, size_bits ${sizeBits}`);
  const count = 2 ** countBits;
  const countN = BigInt(count);
  const ringSize = 2 ** sizeBits;
  if (Math.max(L.sizeDesc * count, L.sizeInfo * count, ringSize) > MAX_RING_BYTES)
    throw new VmsieveError('E_UNSUPPORTED', `the printk ring buffer looks corrupt: ${count} descriptors of ${L.sizeDesc} bytes and a ${ringSize}-byte text ring`);
  const ringSizeN = BigInt(ringSize);

  const descs = view(km, await km.readVirt(rbv.u64(L.descRing + L.descs), L.sizeDesc * count));
  const infosBytes = await km.readVirt(rbv.u64(L.descRing + L.infos), L.sizeInfo * count);
  const infos = view(km, infosBytes);
  const text = await km.readVirt(rbv.u64(L.textRing + L.data), ringSize);

  const tailId = rbv.u64(L.descRing + L.tailId + L.counter);
  const headId = rbv.u64(L.descRing + L.headId + L.counter);
  let first = tailId;
  let minSeq: bigint | undefined;
  if (opts.partial) {
    if (L.clearSeq === undefined) {
      warnings.push({ code: 'W_NO_CLEAR_SEQ', message: 'VMCOREINFO has no SYMBOL(clear_seq): --partial-dmesg prints the whole log, as makedumpfile does' });
    } else {
      let clearSeq = await readU64(km, L.clearSeq);
      if (L.latchedVal !== undefined) clearSeq = await readU64(km, L.clearSeq + BigInt(L.latchedVal) + (clearSeq & 1n) * 8n);
      first = headId - (headId % countN) + (clearSeq % countN);
      // makedumpfile takes clear_seq's slot in head's lap; when that slot lies after head (clear_seq is in the previous
      // lap, or nothing was logged since the clear) its loop would run through the whole 2^62 id space. Step back one
      // lap and skip records older than clear_seq instead.
      if (first > headId) first = (first - countN) & DESC_ID_MASK;
      minSeq = clearSeq;
    }
  }
  let steps = (headId - first) & DESC_ID_MASK;
  if (steps >= countN) {
    warnings.push({
      code: 'W_PRB_IDS',
      message: `printk ring ids look corrupt (tail ${tailId}, head ${headId}, ${count} descriptors): reading the last ${count} ids only`,
    });
    first = (headId - countN + 1n) & DESC_ID_MASK;
    steps = countN - 1n;
  }

  const records: DmesgRecord[] = [];
  const out: string[] = [];
  const inferLevel = L.callerId !== undefined && L.callerId === L.textLen + 4;
  for (let k = 0n, id = first; k <= steps; k++, id = (id + 1n) & DESC_ID_MASK) {
    const slot = Number(id % countN);
    const d = slot * L.sizeDesc;
    const sv = descs.u64(d + L.stateVar + L.counter);
    if ((sv & DESC_ID_MASK) !== id) continue;
    const state = sv >> DESC_STATE_SHIFT;
    if (state !== DESC_COMMITTED && state !== DESC_FINALIZED) continue;
    let begin = descs.u64(d + L.textBlk + L.lposBegin) % ringSizeN;
    const next = descs.u64(d + L.textBlk + L.lposNext) % ringSizeN;
    if (begin === next) continue;
    const inf = slot * L.sizeInfo;
    let textLen = BigInt(infos.u16(inf + L.textLen));
    if (begin > next) begin = 0n;
    begin += BigInt(ID_BYTES);
    // C: `if (next - begin < text_len)` on unsigned longs: a negative difference is huge and truncates nothing.
    if (next >= begin && next - begin < textLen) textLen = next - begin;
    const start = Number(begin);
    const body = text.subarray(start, Math.min(start + Number(textLen), ringSize));
    const seq = L.seq !== undefined ? infos.u64(inf + L.seq) : BigInt(records.length);
    if (minSeq !== undefined && L.seq !== undefined && seq < minSeq) continue;
    const tsNsec = infos.u64(inf + L.tsNsec);
    const rec: DmesgRecord = { seq: Number(seq), tsNsec, time: formatTimestamp(tsNsec).trimStart(), text: decodeText(body) };
    if (inferLevel) {
      rec.facility = infos.u8(inf + L.textLen + 2);
      [rec.flags, rec.level] = infos.bitfieldPair(inf + L.textLen + 3, 5);
    }
    if (L.callerId !== undefined) {
      rec.callerId = infos.u32(inf + L.callerId);
      rec.caller = formatCaller(rec.callerId);
    }
    if (L.devInfo) {
      const sub = cString(infosBytes.subarray(inf + L.devInfo.subsystem, inf + L.devInfo.subsystem + L.devInfo.subsystemLen));
      const dev = cString(infosBytes.subarray(inf + L.devInfo.device, inf + L.devInfo.device + L.devInfo.deviceLen));
      if (sub) rec.subsystem = sub;
      if (dev) rec.device = dev;
    }
    records.push(rec);
    out.push(formatRecord(tsNsec, body, opts.callerId ? rec.callerId : undefined));
  }
  return { layout: 'printk_ringbuffer', records, log: out.join(''), complete: true, warnings };
}

/** The kernel's fields in bytes read through `km`, in the dump's byte order. */
function view(km: KernelReader, b: Uint8Array): Fields {
  return new Fields(b, km.byteOrder);
}

async function readU64(km: KernelReader, vaddr: bigint): Promise<bigint> {
  return view(km, await km.readVirt(vaddr, 8)).u64(0);
}
