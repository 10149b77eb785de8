// The files of one `makedumpfile --split` run, read as the one dump they divide: each holds the pages of its own
// pfn range [start_pfn, end_pfn) behind the whole dump's headers and bitmaps.
import type { DumpWarning } from '../../api-types.js';
import { VmsieveError } from '../../errors.js';
import type { ByteSource } from '../../io/source.js';
import type { PfnRange } from '../../model/dump.js';
import type { StoredPages } from '../../io/source-ref.js';
import type { PfnRun } from '../../model/page-extents.js';
import type { PageSelection } from '../selection.js';
import type { PageDesc } from './diskdump.js';
import { isKdumpDump, type KdumpDump } from './read-kdump.js';

const hex = (n: number) => `0x${n.toString(16)}`;

/** Checks that `members` are one whole split set (in any order) and reads them as one dump. */
export function splitSet(members: readonly KdumpDump[]): KdumpDump {
  for (const m of members)
    if (!isKdumpDump(m) || !m.subHeader || m.subHeader.split === 0)
      throw new VmsieveError('E_SPLIT_SET', `${m.source.name} is not a member of a split set (makedumpfile --split writes kdump-compressed files with the split flag)`, { file: m.source.name });
  const sorted = [...members].sort((a, b) => a.range.start - b.range.start);
  const first = sorted[0]!;
  for (const m of sorted) {
    const foreign =
      m.maxPfn !== first.maxPfn ? `max_mapnr ${hex(m.maxPfn)}, not ${hex(first.maxPfn)}` :
      !sameBytes(m.bitmap1, first.bitmap1) ? 'its bitmap differs' :
      m.vmcoreinfo?.raw !== first.vmcoreinfo?.raw ? 'its VMCOREINFO differs' : undefined;
    if (foreign)
      throw new VmsieveError('E_SPLIT_SET', `${m.source.name} is not from the same dump as ${first.source.name} (${foreign}): it belongs to another split set`, { file: m.source.name });
  }
  let covered = 0;
  for (const m of sorted) {
    if (m.range.start !== covered)
      throw new VmsieveError(
        'E_SPLIT_SET',
        m.range.start > covered
          ? `no file of the split set holds pfns ${hex(covered)}-${hex(m.range.start - 1)}: a member is missing (given: ${names(sorted)})`
          : `${m.source.name} holds pfns ${hex(m.range.start)}-${hex(m.range.end - 1)}, which another member holds too: given twice, or from another split`,
        { file: m.source.name },
      );
    covered = m.range.end;
  }
  if (covered !== first.maxPfn)
    throw new VmsieveError('E_SPLIT_SET', `no file of the split set holds pfns ${hex(covered)}-${hex(first.maxPfn - 1)}: a member is missing (given: ${names(sorted)})`);
  return sorted.length === 1 ? first : new SplitSetDump(sorted);
}

/** The files a dump is read from: a split set's members in pfn order, or the one kdump file. */
export function membersOf(d: KdumpDump): readonly KdumpDump[] {
  return d instanceof SplitSetDump ? d.members : [d];
}

const names = (ms: readonly KdumpDump[]) => ms.map((m) => m.source.name).join(', ');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The set's name is its members'; its headers, notes and bitmaps are the first member's, its pages each member's own. */
class SplitSetDump implements KdumpDump {
  readonly format = 'kdump' as const;
  readonly source: ByteSource;
  readonly bitmap2: Uint8Array;
  readonly numDumpable: number;
  readonly missing: PfnRange[];
  readonly warnings: DumpWarning[];

  constructor(readonly members: readonly KdumpDump[]) {
    const first = members[0]!;
    this.source = { name: names(members), size: first.source.size, read: (o, n) => first.source.read(o, n) };
    this.bitmap2 = new Uint8Array(first.bitmap2.length);
    for (const m of members) for (let i = 0; i < this.bitmap2.length; i++) this.bitmap2[i]! |= m.bitmap2[i]!;
    this.numDumpable = members.reduce((n, m) => n + m.numDumpable, 0);
    this.missing = members.flatMap((m) => [...(m.missing ?? [])]);
    this.warnings = members.flatMap((m) => [...(m.warnings ?? [])]);
  }

  private get first(): KdumpDump {
    return this.members[0]!;
  }
  get arch() { return this.first.arch; }
  get producer() { return this.first.producer; }
  get pageSize() { return this.first.pageSize; }
  get notes() { return this.first.notes; }
  get loads() { return this.first.loads; }
  get vmcoreinfo() { return this.first.vmcoreinfo; }
  get noteSegment() { return this.first.noteSegment; }
  get maxPfnFromLoads() { return this.first.maxPfnFromLoads; }
  get header() { return this.first.header; }
  get subHeader() { return this.first.subHeader; }
  get maxPfn() { return this.first.maxPfn; }
  get bitmap1() { return this.first.bitmap1; }
  get descTableOffset() { return this.first.descTableOffset; }
  get eraseinfo() { return this.first.eraseinfo; }
  get range(): PfnRange { return { start: 0, end: this.maxPfn }; }

  /** The member holding pfn (the last one whose range starts at or before it). */
  memberOf(pfn: number): KdumpDump {
    let lo = 0;
    let hi = this.members.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.members[mid]!.range.start <= pfn) lo = mid;
      else hi = mid - 1;
    }
    return this.members[lo]!;
  }

  isDumpable(pfn: number): boolean {
    return pfn >= 0 && pfn < this.maxPfn && this.memberOf(pfn).isDumpable(pfn);
  }

  descriptor(pfn: number): Promise<PageDesc | undefined> {
    return this.memberOf(pfn).descriptor(pfn);
  }

  async *descriptors(): AsyncGenerator<{ pfn: number; desc: PageDesc }> {
    for (const m of this.members) yield* m.descriptors();
  }

  readPage(pfn: number): Promise<Uint8Array> {
    return this.memberOf(pfn).readPage(pfn);
  }

  /** The members' stored pages, where all of `runs` lie in one member (a task across two is read here). */
  async storedPages(runs: readonly PfnRun[]): Promise<StoredPages | undefined> {
    if (runs.length === 0) return undefined;
    const member = this.memberOf(runs[0]![0]);
    if (runs.some(([start, end]) => start < member.range.start || end > member.range.end)) return undefined;
    return member.storedPages(runs);
  }

  decodePage(pfn: number, desc: PageDesc): Promise<Uint8Array> {
    return this.memberOf(pfn).decodePage(pfn, desc);
  }

  decodeStored(pfn: number, desc: PageDesc, data: Uint8Array): Promise<Uint8Array> {
    return this.memberOf(pfn).decodeStored(pfn, desc, data);
  }

  selection(excludeZero: boolean): PageSelection {
    return { maxPfn: this.maxPfn, bitmap1: this.bitmap1, bitmap2: this.bitmap2, excludeZero };
  }

  async readPhys(paddr: number, length: number): Promise<Uint8Array> {
    const ps = this.pageSize;
    const end = paddr + length;
    const m = this.memberOf(Math.floor(paddr / ps));
    if (end <= m.range.end * ps) return m.readPhys(paddr, length);
    const out = new Uint8Array(length);
    for (let at = paddr; at < end; ) {
      const part = this.memberOf(Math.floor(at / ps));
      const to = Math.min(end, part.range.end * ps);
      out.set(await part.readPhys(at, to - at), at - paddr);
      at = to;
    }
    return out;
  }
}
