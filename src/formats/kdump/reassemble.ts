// `makedumpfile --reassemble`: the files of a split set joined into the one kdump file an unsplit run would have
// written, byte for byte as makedumpfile joins them (reassemble_kdump_header / reassemble_kdump_pages).
import { VmsieveError } from '../../errors.js';
import type { ByteSink } from '../../io/sink.js';
import { Fields } from '../../model/byte-order.js';
import { Appender } from './appender.js';
import { bitRuns } from '../selection.js';
import { DISK_DUMP_HEADER_SIZE, DUMP_DH_COMPRESSED_INCOMPLETE, KDUMP_SUB_HEADER_SIZE, PAGE_DESC_SIZE, encodePageDesc } from './diskdump.js';
import type { KdumpDump } from './read-kdump.js';

const DL_EXCLUDE_ZERO = 1;

export interface ReassembleResult {
  fileSize: number;
  pages: number;
}

/**
 * Writes the set (members in pfn order, as splitSet checked them) to `sink`: the disk_dump_header of the first member
 * flagged incomplete (else of the last one), the first member's sub header with the split fields cleared, its notes,
 * VMCOREINFO and bitmaps, then every page descriptor and page in pfn order with new offsets (one shared zero page
 * when the dump level excluded zero pages), then each member's eraseinfo.
 */
export async function reassemble(members: readonly KdumpDump[], sink: ByteSink): Promise<ReassembleResult> {
  const first = members[0]!;
  if (!first.subHeader) throw new VmsieveError('E_SPLIT_SET', `${first.source.name} has no kdump sub header: not a split member`);
  const bs = first.header.blockSize;
  const headerFrom = members.find((m) => m.header.status & DUMP_DH_COMPRESSED_INCOMPLETE) ?? members[members.length - 1]!;
  await sink.write(0, (await headerFrom.source.read(0, DISK_DUMP_HEADER_SIZE)).slice());

  const sub = (await first.source.read(bs, KDUMP_SUB_HEADER_SIZE)).slice();
  const order = first.arch.byteOrder;
  const sv = new Fields(sub, order);
  sv.setI32(12, 0); // split
  for (const at of [16, 24, 80, 88]) sv.setU64(at, 0n); // start_pfn, end_pfn, start_pfn_64, end_pfn_64
  const fs = first.subHeader;
  const copy = async (offset: bigint, size: bigint) => {
    if (size > 0n) await sink.write(Number(offset), (await first.source.read(Number(offset), Number(size))).slice());
  };
  if (first.header.headerVersion >= 4) await copy(fs.offsetNote, fs.sizeNote);
  if (first.header.headerVersion >= 3) await copy(fs.offsetVmcoreinfo, fs.sizeVmcoreinfo);
  const bitmapAt = (1 + first.header.subHdrSize) * bs;
  await copy(BigInt(bitmapAt), BigInt(first.header.bitmapBlocks * bs));

  const stored = await first.source.read(bitmapAt + (first.header.bitmapBlocks * bs) / 2, Math.ceil(first.maxPfn / 8));
  let numDumpable = 0;
  for (const [s, e] of bitRuns(stored, 0, first.maxPfn)) numDumpable += e - s;
  const descs = new Appender(sink, first.descTableOffset);
  const data = new Appender(sink, first.descTableOffset + PAGE_DESC_SIZE * numDumpable);
  let dataOffset = data.offset;
  const excludeZero = (fs.dumpLevel & DL_EXCLUDE_ZERO) !== 0;
  const zeroPage = { offset: dataOffset, size: bs, flags: 0, pageFlags: 0n };
  if (excludeZero) {
    await data.add(new Uint8Array(bs));
    dataOffset += bs;
  }
  const desc = (d: typeof zeroPage) => {
    const b = new Uint8Array(PAGE_DESC_SIZE);
    encodePageDesc(new Fields(b, order), 0, d);
    return b;
  };
  let pages = 0;
  for (const m of members)
    for await (const { desc: d } of m.descriptors()) {
      pages++;
      if (excludeZero && d.offset === zeroPage.offset) {
        await descs.add(desc(zeroPage));
        continue;
      }
      await descs.add(desc({ ...d, offset: dataOffset }));
      await data.add((await m.source.read(d.offset, d.size)).slice());
      dataOffset += d.size;
    }
  if (pages !== numDumpable)
    throw new VmsieveError('E_SPLIT_SET', `the split set holds ${pages} pages but its bitmap lists ${numDumpable}: a member is incomplete`);
  await descs.flush();

  let eraseinfoSize = 0;
  const eraseinfoAt = dataOffset;
  for (const m of members)
    if (m.eraseinfo && m.eraseinfo.size > 0) {
      await data.add((await m.source.read(m.eraseinfo.offset, m.eraseinfo.size)).slice());
      eraseinfoSize += m.eraseinfo.size;
    }
  await data.flush();
  if (eraseinfoSize > 0) {
    sv.setU64(64, BigInt(eraseinfoAt));
    sv.setU64(72, BigInt(eraseinfoSize));
  }
  await sink.write(bs, sub);
  return { fileSize: data.offset, pages };
}
