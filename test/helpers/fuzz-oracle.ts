import { inflateSync } from 'node:zlib';
import { PAGE_DESC_SIZE } from '../../src/formats/kdump/diskdump.js';
import type { KdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { membersOf } from '../../src/formats/kdump/split-set.js';
import { decodePages, decoderSkipReason, type PageCodec } from './decoders.js';
import { kdumpLayout } from './fuzz-kdump.js';
import type { Patch } from './mutated-source.js';

/**
 * The oracle for "silent" (issue 27), independent of the readers under test: a kdump file's pages as its headers,
 * bitmaps and descriptors give them, read here from the bytes with node:zlib and the python reference decoders.
 */

/** One page a kdump file holds: its pfn and where its stored bytes are. */
export interface StoredPage {
  pfn: number;
  offset: number;
  size: number;
  flags: number;
}

/** The pages `file` holds in table order (a split member: those of its range), from its headers alone. */
export function storedPages(file: Uint8Array): StoredPage[] {
  const l = kdumpLayout(file);
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const split = v.getInt32(l.subHeaderAt + 12, true) !== 0;
  const start = split ? Number(v.getBigUint64(l.subHeaderAt + 80, true)) : 0;
  const end = split ? Number(v.getBigUint64(l.subHeaderAt + 88, true)) : l.maxPfn;
  const out: StoredPage[] = [];
  for (let pfn = start, at = l.descAt; pfn < end; pfn++) {
    if (((file[l.bitmap2At + (pfn >> 3)]! >> (pfn & 7)) & 1) === 0) continue;
    out.push({ pfn, offset: Number(v.getBigInt64(at, true)), size: v.getUint32(at + 8, true), flags: v.getUint32(at + 12, true) });
    at += PAGE_DESC_SIZE;
  }
  return out;
}

const FLAG_CODEC: Array<[number, PageCodec | 'zlib']> = [[1, 'zlib'], [2, 'lzo'], [4, 'snappy'], [0x20, 'zstd']];

/** Each page of `file` decoded (zlib here, lzo/snappy/zstd in one python run); pages that fail are left out. */
export function decodedPages(file: Uint8Array, pageSize: number): Map<number, Uint8Array> {
  const pages = storedPages(file);
  const out = new Map<number, Uint8Array>();
  const byCodec = new Map<PageCodec, StoredPage[]>();
  for (const p of pages) {
    const bytes = file.subarray(p.offset, p.offset + p.size);
    const codec = FLAG_CODEC.find(([f]) => p.flags & f)?.[1];
    if (p.flags === 0) {
      if (p.size === pageSize) out.set(p.pfn, bytes);
    } else if (codec === 'zlib') {
      try {
        const page = new Uint8Array(inflateSync(bytes));
        if (page.length === pageSize) out.set(p.pfn, page);
      } catch {
        /* not a page */
      }
    } else if (codec) byCodec.set(codec, [...(byCodec.get(codec) ?? []), p]);
  }
  for (const [codec, ps] of byCodec) {
    const skip = decoderSkipReason(codec);
    if (skip) throw new Error(skip);
    const data = new Uint8Array(ps.reduce((n, p) => n + p.size, 0));
    ps.reduce((at, p) => (data.set(file.subarray(p.offset, p.offset + p.size), at), at + p.size), 0);
    const r = decodePages(codec, data, Uint32Array.from(ps, (p) => p.size), pageSize);
    const bad = new Set(r.errors.map(([i]) => i));
    ps.forEach((p, i) => {
      if (!bad.has(i)) out.set(p.pfn, r.decoded.subarray(i * pageSize, (i + 1) * pageSize));
    });
  }
  return out;
}

/** Pages of an uncompressed kdump file (what the oracle's exports write): raw, or the shared zero page. */
export function rawPages(file: Uint8Array, pageSize: number): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (const p of storedPages(file)) {
    if (p.flags !== 0 || p.size !== pageSize) throw new Error(`pfn 0x${p.pfn.toString(16)}: the export stored ${p.size} bytes with flags ${p.flags}`);
    out.set(p.pfn, file.subarray(p.offset, p.offset + p.size));
  }
  return out;
}

/** A base file's pages, and for each the byte range (in the file the mutations patch) its page depends on. */
export interface PageTruth {
  pages: Map<number, Uint8Array>;
  ranges: Map<number, Array<[number, number]>>;
  /** Each page's descriptor and stored bytes, in the coordinates the reader sees (a flattened file's restored ones). */
  stored: Map<number, { desc: StoredPage; bytes: Uint8Array }>;
}

/** The truth for one kdump file (or one member of a split set), in its own coordinates. */
export function kdumpTruth(file: Uint8Array, pageSize: number): PageTruth {
  const ranges = new Map<number, Array<[number, number]>>();
  const stored = new Map<number, { desc: StoredPage; bytes: Uint8Array }>();
  for (const p of storedPages(file)) {
    ranges.set(p.pfn, [[p.offset, p.offset + p.size]]);
    stored.set(p.pfn, { desc: p, bytes: file.subarray(p.offset, p.offset + p.size) });
  }
  return { pages: decodedPages(file, pageSize), ranges, stored };
}

/**
 * The truth for a flattened file: its pages are those of the kdump file its records restore; each page's range is
 * mapped back to the flattened file's bytes (the record data holding it).
 */
export function flatTruth(flat: Uint8Array, pageSize: number): PageTruth {
  const v = new DataView(flat.buffer, flat.byteOffset, flat.byteLength);
  const records: Array<{ offset: number; size: number; at: number }> = [];
  let restored = 0;
  for (let p = 4096; p + 16 <= flat.length; ) {
    const offset = Number(v.getBigInt64(p, false));
    const size = Number(v.getBigInt64(p + 8, false));
    if (offset === -1 && size === -1) break;
    records.push({ offset, size, at: p + 16 });
    restored = Math.max(restored, offset + size);
    p += 16 + size;
  }
  const file = new Uint8Array(restored);
  for (const r of records) file.set(flat.subarray(r.at, r.at + r.size), r.offset);
  const truth = kdumpTruth(file, pageSize);
  for (const [pfn, rs] of truth.ranges) {
    const [from, to] = rs[0]!;
    truth.ranges.set(pfn, records.filter((r) => r.offset < to && from < r.offset + r.size).map((r) => [r.at + Math.max(0, from - r.offset), r.at + Math.min(r.size, to - r.offset)]));
  }
  return truth;
}

/**
 * The pfns where an export of a mutated input holds a page the input does not: not the base's page, though no
 * patch touched the bytes that page is stored in (a patched page may differ: the input itself says so). A page the
 * base does not hold at all counts too.
 */
export function silentDifferences(out: Map<number, Uint8Array>, truth: PageTruth, patches: readonly Patch[]): number[] {
  const bad: number[] = [];
  for (const [pfn, page] of out) if (!sameOrPatched(pfn, page, truth, patches)) bad.push(pfn);
  return bad;
}

function sameOrPatched(pfn: number, page: Uint8Array, truth: PageTruth, patches: readonly Patch[]): boolean {
  const want = truth.pages.get(pfn);
  if (!want) return false;
  if (Buffer.compare(page, want) === 0) return true;
  return (truth.ranges.get(pfn) ?? []).some(([from, to]) => patches.some((p) => p.at < to && from < p.at + p.bytes.length));
}

/**
 * The same check on what the reader hands the exporter, without writing a file: each page's descriptor and stored
 * bytes as the reader sees them. Where both are the base's, the page is the base's; anywhere else the reader's
 * decoded page is compared as an export's would be.
 */
export async function readerDifferences(dump: KdumpDump, truth: PageTruth, patches: readonly Patch[]): Promise<number[]> {
  const bad: number[] = [];
  for (const m of membersOf(dump))
    for await (const { pfn, desc } of m.descriptors()) {
      const base = truth.stored.get(pfn);
      const same = base && base.desc.offset === desc.offset && base.desc.size === desc.size && base.desc.flags === desc.flags;
      if (same && Buffer.compare(await m.source.read(desc.offset, desc.size), base.bytes) === 0) continue;
      if (!sameOrPatched(pfn, await m.decodePage(pfn, desc), truth, patches)) bad.push(pfn);
    }
  return bad;
}
