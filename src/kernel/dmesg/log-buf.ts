/**
 * The kernel log before 5.10, as makedumpfile.c dump_dmesg reads it.
 *
 * 3.5 – 5.9, variable-length records (`struct printk_log`, called `struct log` before 3.11):
 * - SYMBOL(log_buf) is a `char *` variable; SYMBOL(log_buf_len) an int; SYMBOL(log_first_idx), SYMBOL(log_next_idx)
 *   and SYMBOL(clear_idx) (--partial-dmesg) are u32 byte offsets into the buffer.
 * - From first_idx to next_idx: a record with len == 0 marks the end of the buffer: the record at offset 0 is printed
 *   in its place and the walk continues after that one; otherwise the next record is at idx + len.
 * - The text follows the SIZE(printk_log) header (text_len bytes; the dict follows the text and is not printed).
 * - A walk that returns to an index already visited (a cycle) prints the cycle once and fails;
 *   a next index outside [0, log_buf_len - SIZE(printk_log)] fails after printing what came before.
 *
 * Before 3.5: log_buf is plain text and SYMBOL(log_end) counts bytes ever written (u32 from 2.6.25, ulong before):
 * the last log_buf_len bytes are copied verbatim, oldest first.
 */
import { VmsieveError } from '../../errors.js';
import type { VmcoreInfo } from '../../model/vmcoreinfo.js';
import { decodeText, formatCaller, formatRecord, formatTimestamp } from './format.js';
import type { DmesgOptions, DmesgRecord, DmesgResult, DmesgWarning, KernelReader } from './types.js';
import { Fields } from '../../model/byte-order.js';

interface RecordLayout {
  size: number;
  tsNsec: number;
  len: number;
  textLen: number;
  callerId: number | undefined;
}

function recordLayout(info: VmcoreInfo): RecordLayout | undefined {
  // makedumpfile: SIZE(printk_log) → printk_log.*; otherwise the pre-3.11-rc4 names, SIZE(log) → log.*.
  const name = info.size('printk_log') !== undefined ? 'printk_log' : 'log';
  const size = info.size(name);
  const tsNsec = info.offset(`${name}.ts_nsec`);
  const len = info.offset(`${name}.len`);
  const textLen = info.offset(`${name}.text_len`);
  if (size === undefined || tsNsec === undefined || len === undefined || textLen === undefined) return undefined;
  return { size, tsNsec, len, textLen, callerId: name === 'printk_log' ? info.offset('printk_log.caller_id') : undefined };
}

/** "5.4.0-..." → [5, 4, 0]; makedumpfile's get_kernel_version (strtol of each part). */
function kernelVersion(release: string | undefined): number | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release ?? '');
  if (!m) return undefined;
  return Number(m[1]) * 65536 + Number(m[2]) * 256 + Number(m[3] ?? 0);
}
const V3_5 = 3 * 65536 + 5 * 256;
const V2_6_25 = 2 * 65536 + 6 * 256 + 25;

export async function readLogBufDmesg(km: KernelReader, opts: DmesgOptions = {}): Promise<DmesgResult> {
  const info = km.info;
  const logBufSym = info.symbol('log_buf');
  const logBufLenSym = info.symbol('log_buf_len');
  if (logBufSym === undefined || logBufLenSym === undefined)
    throw new VmsieveError('E_BAD_VMCOREINFO', 'cannot read the kernel log: VMCOREINFO has neither SYMBOL(prb) nor SYMBOL(log_buf) and SYMBOL(log_buf_len)');
  const logEndSym = info.symbol('log_end');
  const version = kernelVersion(info.osRelease);
  if (logEndSym !== undefined && version !== undefined && version < V3_5) return readLogEnd(km, logBufSym, logBufLenSym, logEndSym, version);

  const firstSym = opts.partial && info.symbol('clear_idx') !== undefined ? info.symbol('clear_idx')! : info.symbol('log_first_idx');
  const nextSym = info.symbol('log_next_idx');
  if (firstSym === undefined || nextSym === undefined)
    throw new VmsieveError('E_BAD_VMCOREINFO', "cannot read the kernel log: VMCOREINFO lacks the variable-length record symbols SYMBOL(log_first_idx) / SYMBOL(log_next_idx)");
  const L = recordLayout(info);
  if (!L)
    throw new VmsieveError('E_BAD_VMCOREINFO', 'cannot read the kernel log: VMCOREINFO lacks SIZE(printk_log) or OFFSET(printk_log.ts_nsec / len / text_len)');
  const warnings: DmesgWarning[] = [];
  if (opts.partial && info.symbol('clear_idx') === undefined)
    warnings.push({ code: 'W_NO_CLEAR_IDX', message: 'VMCOREINFO has no SYMBOL(clear_idx): --partial-dmesg prints the whole log, as makedumpfile does' });

  const firstIdx = await readU32(km, firstSym);
  const nextIdx = await readU32(km, nextSym);
  const logBuf = view(km, await km.readVirt(logBufSym, 8)).u64(0);
  const logBufLen = view(km, await km.readVirt(logBufLenSym, 4)).i32(0);
  if (logBufLen <= 0 || logBufLen > 1 << 30)
    throw new VmsieveError('E_UNSUPPORTED', `the kernel log looks corrupt: log_buf_len is ${logBufLen}`);
  const buf = await km.readVirt(logBuf, logBufLen);
  const bv = view(km, buf);

  // The kernel's struct printk_log: ts_nsec u64, len u16, text_len u16, dict_len u16, facility u8, flags:5 level:3.
  const inferLevel = L.textLen === L.len + 2 && L.size >= L.textLen + 6;
  const u16 = (at: number) => (at >= 0 && at + 2 <= logBufLen ? bv.u16(at) : 0);

  const records: DmesgRecord[] = [];
  const out: string[] = [];
  const visited = new Set<number>();
  let complete = true;
  let ptr = firstIdx;
  while (ptr !== nextIdx) {
    if (visited.has(ptr)) {
      complete = false;
      warnings.push({
        code: 'E_DMESG_CYCLE',
        message: `Cycle when parsing dmesg detected: the printk log_buf is most likely corrupted (log_buf = 0x${logBuf.toString(16)}, idx = 0x${ptr.toString(16)})`,
      });
      break;
    }
    visited.add(ptr);
    const msgLen = u16(ptr + L.len);
    const rec = msgLen === 0 ? 0 : ptr;
    if (rec + L.size > logBufLen) {
      complete = false;
      warnings.push({ code: 'E_DMESG_INDEX', message: `Index outside log_buf detected: the printk log_buf is most likely corrupted (idx = 0x${rec.toString(16)})` });
      break;
    }
    const tsNsec = bv.u64(rec + L.tsNsec);
    const textLen = u16(rec + L.textLen);
    const body = buf.subarray(rec + L.size, Math.min(rec + L.size + textLen, logBufLen));
    const r: DmesgRecord = { seq: records.length, tsNsec, time: formatTimestamp(tsNsec).trimStart(), text: decodeText(body) };
    if (inferLevel) {
      const dictLen = u16(rec + L.textLen + 2);
      r.facility = bv.u8(rec + L.textLen + 4);
      [r.flags, r.level] = bv.bitfieldPair(rec + L.textLen + 5, 5);
      if (dictLen > 0) {
        const dictStart = rec + L.size + textLen;
        const dict = decodeText(buf.subarray(dictStart, Math.min(dictStart + dictLen, logBufLen))).split('\0');
        for (const kv of dict) {
          if (kv.startsWith('SUBSYSTEM=')) r.subsystem = kv.slice(10);
          else if (kv.startsWith('DEVICE=')) r.device = kv.slice(7);
        }
      }
    }
    if (L.callerId !== undefined && rec + L.callerId + 4 <= logBufLen) {
      r.callerId = bv.u32(rec + L.callerId);
      r.caller = formatCaller(r.callerId);
    }
    records.push(r);
    out.push(formatRecord(tsNsec, body, opts.callerId ? r.callerId : undefined));

    const next = msgLen === 0 ? u16(L.len) : ptr + msgLen;
    if (next < 0 || next > logBufLen - L.size) {
      complete = false;
      warnings.push({
        code: 'E_DMESG_INDEX',
        message: `Index outside log_buf detected: the printk log_buf is most likely corrupted (log_buf = 0x${logBuf.toString(16)}, idx = 0x${ptr.toString(16)})`,
      });
      break;
    }
    ptr = next;
  }
  return { layout: 'printk_log', records, log: out.join(''), complete, warnings };
}

async function readLogEnd(km: KernelReader, logBufSym: bigint, logBufLenSym: bigint, logEndSym: bigint, version: number): Promise<DmesgResult> {
  const logBuf = view(km, await km.readVirt(logBufSym, 8)).u64(0);
  const logBufLen = view(km, await km.readVirt(logBufLenSym, 4)).i32(0);
  const logEnd =
    version >= V2_6_25 ? view(km, await km.readVirt(logEndSym, 4)).u32(0) : Number(view(km, await km.readVirt(logEndSym, 8)).u64(0));
  if (logBufLen <= 0 || logBufLen > 1 << 30)
    throw new VmsieveError('E_UNSUPPORTED', `the kernel log looks corrupt: log_buf_len is ${logBufLen}`);
  let bytes: Uint8Array;
  if (logEnd < logBufLen) {
    bytes = await km.readVirt(logBuf, logEnd);
  } else {
    const index = logEnd & (logBufLen - 1);
    bytes = new Uint8Array(logBufLen);
    bytes.set(await km.readVirt(logBuf + BigInt(index), logBufLen - index), 0);
    bytes.set(await km.readVirt(logBuf, index), logBufLen - index);
  }
  let log = '';
  for (let i = 0; i < bytes.length; i += 8192) log += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 8192)));
  return { layout: 'log_end', records: [], log, complete: true, warnings: [] };
}

/** The kernel's fields in bytes read through `km`, in the dump's byte order. */
function view(km: KernelReader, b: Uint8Array): Fields {
  return new Fields(b, km.byteOrder);
}

async function readU32(km: KernelReader, vaddr: bigint): Promise<number> {
  return view(km, await km.readVirt(vaddr, 4)).u32(0);
}
