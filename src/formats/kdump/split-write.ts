// `makedumpfile --split`: one kdump file cut into members by pfn range, each as makedumpfile writes it — the whole
// dump's headers and bitmaps, the sub header's split fields set, the descriptors of its range, then (when zero pages
// are excluded) the shared zero page and its pages, at the offsets the unsplit file's full descriptor table leaves.
import type { ByteSink } from '../../io/sink.js';
import type { PfnRange } from '../../model/dump.js';
import { Fields } from '../../model/byte-order.js';
import { bitRuns, testBit } from '../selection.js';
import { Appender } from './appender.js';
import { KDUMP_SUB_HEADER_SIZE, PAGE_DESC_SIZE, encodePageDesc } from './diskdump.js';
import type { KdumpDump } from './read-kdump.js';

/** makedumpfile's default --splitblock-size: 1 GiB. */
export const DEFAULT_SPLITBLOCK_BYTES = 1 << 30;
const DL_EXCLUDE_ZERO = 1;

/**
 * makedumpfile's setup_splitting: each member but the last takes whole split blocks until it holds at least
 * dumpable/members pages; the last takes the rest. Counts come from the 2nd bitmap; a trailing partial block
 * counts as empty, as in makedumpfile's table.
 */
export function splitRanges(bitmap2: Uint8Array, maxPfn: number, pageSize: number, members: number, splitblockBytes = DEFAULT_SPLITBLOCK_BYTES): PfnRange[] {
  const perBlock = Math.max(1, Math.floor(splitblockBytes / pageSize));
  const blocks = Math.ceil(maxPfn / perBlock);
  const counts = new Float64Array(blocks);
  let dumpable = 0;
  for (const [s, e] of bitRuns(bitmap2, 0, maxPfn))
    for (let pfn = s; pfn < e; pfn++) {
      dumpable++;
      const b = Math.floor(pfn / perBlock);
      if ((b + 1) * perBlock <= maxPfn) counts[b]!++;
    }
  const share = Math.floor(dumpable / members);
  const out: PfnRange[] = [];
  let block = 0;
  let end = 0;
  for (let i = 0; i < members - 1; i++) {
    const start = end;
    if (start >= maxPfn) end = maxPfn;
    else {
      let needed = share;
      while (block < blocks && needed > 0) needed -= counts[block++]!;
      end = Math.min(block * perBlock, maxPfn);
    }
    out.push({ start, end });
  }
  out.push({ start: end, end: maxPfn });
  return out;
}

/** Writes the member of `whole` (an unsplit kdump file) holding `range`, as split member `index` of a set. */
export async function writeSplitMember(whole: KdumpDump, range: PfnRange, sink: ByteSink): Promise<{ fileSize: number; pages: number }> {
  const bs = whole.header.blockSize;
  const head = (await whole.source.read(0, whole.descTableOffset)).slice();
  const order = whole.arch.byteOrder;
  const sv = new Fields(head.subarray(bs, bs + KDUMP_SUB_HEADER_SIZE), order);
  sv.setI32(12, 1); // split
  sv.setU64(16, BigInt(Math.min(range.start, 0xffffffff)));
  sv.setU64(24, BigInt(Math.min(range.end, 0xffffffff)));
  sv.setU64(80, BigInt(range.start));
  sv.setU64(88, BigInt(range.end));
  await sink.write(0, head);

  const dataStart = whole.descTableOffset + PAGE_DESC_SIZE * whole.numDumpable;
  const excludeZero = ((whole.subHeader?.dumpLevel ?? 0) & DL_EXCLUDE_ZERO) !== 0;
  const descs = new Appender(sink, whole.descTableOffset);
  const data = new Appender(sink, dataStart);
  let dataOffset = dataStart;
  if (excludeZero) {
    await data.add(new Uint8Array(bs));
    dataOffset += bs;
  }
  let pages = 0;
  for await (const { pfn, desc } of whole.descriptors()) {
    if (pfn < range.start || !testBit(whole.bitmap2, pfn)) continue;
    if (pfn >= range.end) break;
    pages++;
    const b = new Uint8Array(PAGE_DESC_SIZE);
    if (excludeZero && desc.offset === dataStart) {
      encodePageDesc(new Fields(b, order), 0, desc);
    } else {
      encodePageDesc(new Fields(b, order), 0, { ...desc, offset: dataOffset });
      await data.add((await whole.source.read(desc.offset, desc.size)).slice());
      dataOffset += desc.size;
    }
    await descs.add(b);
  }
  await descs.flush();
  await data.flush();
  return { fileSize: data.offset, pages };
}
