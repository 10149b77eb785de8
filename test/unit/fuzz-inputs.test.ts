import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISK_DUMP_HEADER_SIZE, KDUMP_SUB_HEADER_SIZE, decodeDiskDumpHeader, decodeSubHeader } from '../../src/formats/kdump/diskdump.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { isVmsieveError } from '../../src/errors.js';
import { isKdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { writeKdump } from '../../src/formats/kdump/write-kdump.js';
import { openDumps } from '../../src/formats/open-dump.js';
import { MemorySink } from '../../src/io/sink.js';
import { MemorySource, type ByteSource } from '../../src/io/source.js';
import { kdumpWithCodec, makeFuzzBases, type FuzzBases } from '../helpers/fuzz-bases.js';
import { exercise, type Outcome } from '../helpers/fuzz-exercise.js';
import { kdumpLayout, splitSetOf } from '../helpers/fuzz-kdump.js';
import { flatTruth, kdumpTruth, rawPages, readerDifferences, silentDifferences, type PageTruth } from '../helpers/fuzz-oracle.js';
import { MutatedSource, type Patch } from '../helpers/mutated-source.js';

/**
 * Every input either works or fails with a VmsieveError and its code: mutated headers, notes, VMCOREINFO values,
 * PT_LOADs, kdump headers, bitmaps, descriptors, page data and flattened records, from a deterministic seed.
 */

/** A mutated input that takes longer than this is taken as a hang (generous: the machine is shared). */
const HANG_MS = 20_000;
/** No single read may be larger: a reader that asks for more trusts a size field it should have checked. */
const MAX_READ = 64 << 20;

let kernels: KernelExports;
let bases: FuzzBases;

beforeAll(async () => {
  kernels = await instantiateKernels(await nodeWasmModule());
  bases = await makeFuzzBases(kernels);
});

/** mulberry32: a small deterministic generator, so a failing input can be replayed from its number. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Region {
  what: string;
  start: number;
  end: number;
}

interface Structure {
  base: Uint8Array;
  /** Header-like regions: fields get interesting values. */
  fields: Region[];
  /** Data regions: bytes get flipped. */
  data: Region[];
  /** Writes new VMCOREINFO text into the input (appended, pointers patched). */
  withVmcoreinfo?: (text: string) => Patch[];
  vmcoreinfoText?: string;
}

const u64le = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
};
const u64be = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), false);
  return b;
};
const latin1 = new TextDecoder('latin1');
const encode = (s: string) => new TextEncoder().encode(s);

/** The ranges a clean run reads, merged: the bytes the readers actually depend on. */
async function readRanges(base: Uint8Array): Promise<Region[]> {
  const src = new MutatedSource(base, [], base.length, 'clean', true);
  const r = await exercise(src, { classify: true, kernels });
  expect(r.crashes).toEqual([]);
  const sorted = [...src.reads].sort((a, b) => a[0] - b[0]);
  const out: Region[] = [];
  for (const [at, n] of sorted) {
    const last = out[out.length - 1];
    if (last && at <= last.end) last.end = Math.max(last.end, at + n);
    else out.push({ what: 'read', start: at, end: at + n });
  }
  return out;
}

function noteRegions(base: Uint8Array, start: number, size: number): { fields: Region[]; vmcoreinfo?: { descAt: number; descSize: number } } {
  const v = new DataView(base.buffer, base.byteOffset, base.byteLength);
  const fields: Region[] = [];
  let vmcoreinfo: { descAt: number; descSize: number } | undefined;
  for (let p = start; p + 12 <= start + size; ) {
    const namesz = v.getUint32(p, true);
    const descsz = v.getUint32(p + 4, true);
    if (namesz === 0 && descsz === 0) break;
    fields.push({ what: 'note header', start: p, end: p + 12 });
    const name = latin1.decode(base.subarray(p + 12, p + 12 + namesz)).replace(/\0+$/, '');
    const descAt = p + 12 + ((namesz + 3) & ~3);
    if (name === 'VMCOREINFO') vmcoreinfo = { descAt, descSize: descsz };
    p = descAt + ((descsz + 3) & ~3);
  }
  return { fields, vmcoreinfo };
}

function noteBlob(name: string, desc: Uint8Array): Uint8Array {
  const nm = encode(`${name}\0`);
  const b = new Uint8Array(12 + ((nm.length + 3) & ~3) + ((desc.length + 3) & ~3));
  const v = new DataView(b.buffer);
  v.setUint32(0, nm.length, true);
  v.setUint32(4, desc.length, true);
  b.set(nm, 12);
  b.set(desc, 12 + ((nm.length + 3) & ~3));
  return b;
}

async function elfStructure(base: Uint8Array): Promise<Structure> {
  const v = new DataView(base.buffer, base.byteOffset, base.byteLength);
  const phoff = Number(v.getBigUint64(32, true));
  const phnum = v.getUint16(56, true);
  const fields: Region[] = [{ what: 'ELF header', start: 0, end: 64 }];
  let note: { at: number; size: number; ph: number } | undefined;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * 56;
    fields.push({ what: v.getUint32(o, true) === 4 ? 'PT_NOTE' : 'PT_LOAD', start: o, end: o + 56 });
    if (v.getUint32(o, true) === 4) note = { at: Number(v.getBigUint64(o + 8, true)), size: Number(v.getBigUint64(o + 32, true)), ph: o };
  }
  const notes = noteRegions(base, note!.at, note!.size);
  fields.push(...notes.fields);
  const vi = notes.vmcoreinfo!;
  const text = latin1.decode(base.subarray(vi.descAt, vi.descAt + vi.descSize));
  const withVmcoreinfo = (t: string): Patch[] => {
    // The other notes stay; the new VMCOREINFO note goes at the end of the file and PT_NOTE points at the lot.
    const others: Uint8Array[] = [];
    for (let p = note!.at; p + 12 <= note!.at + note!.size; ) {
      const namesz = v.getUint32(p, true);
      const descsz = v.getUint32(p + 4, true);
      if (namesz === 0 && descsz === 0) break;
      const end = p + 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3);
      const name = latin1.decode(base.subarray(p + 12, p + 12 + namesz)).replace(/\0+$/, '');
      if (name !== 'VMCOREINFO') others.push(base.subarray(p, end));
      p = end;
    }
    others.push(noteBlob('VMCOREINFO', new Uint8Array(Array.from(t, (c) => c.charCodeAt(0) & 0xff))));
    const all = new Uint8Array(others.reduce((n, b) => n + b.length, 0));
    others.reduce((at, b) => (all.set(b, at), at + b.length), 0);
    const at = Math.ceil(base.length / 8) * 8;
    return [
      { at, bytes: all },
      { at: note!.ph + 8, bytes: u64le(BigInt(at)) },
      { at: note!.ph + 32, bytes: u64le(BigInt(all.length)) },
      { at: note!.ph + 40, bytes: u64le(BigInt(all.length)) },
    ];
  };
  return { base, fields, data: await readRanges(base), withVmcoreinfo, vmcoreinfoText: text };
}

async function kdumpStructure(base: Uint8Array): Promise<Structure> {
  const h = decodeDiskDumpHeader(base.subarray(0, DISK_DUMP_HEADER_SIZE), 'little');
  const bs = h.blockSize;
  const sub = decodeSubHeader(base.subarray(bs, bs + KDUMP_SUB_HEADER_SIZE), 'little');
  const bitmapAt = (1 + h.subHdrSize) * bs;
  const descAt = bitmapAt + h.bitmapBlocks * bs;
  const fields: Region[] = [
    { what: 'kdump header', start: 0, end: DISK_DUMP_HEADER_SIZE },
    { what: 'kdump sub header', start: bs, end: bs + KDUMP_SUB_HEADER_SIZE },
    { what: 'page descriptors', start: descAt, end: descAt + 24 * 64 },
  ];
  const notes = noteRegions(base, Number(sub.offsetNote), Number(sub.sizeNote));
  fields.push(...notes.fields);
  const data: Region[] = [{ what: 'bitmaps', start: bitmapAt, end: descAt }, { what: 'page descriptors', start: descAt, end: descAt + 24 * 4096 }, ...(await readRanges(base))];
  const text = latin1.decode(base.subarray(Number(sub.offsetVmcoreinfo), Number(sub.offsetVmcoreinfo + sub.sizeVmcoreinfo)));
  const withVmcoreinfo = (t: string): Patch[] => {
    const bytes = new Uint8Array(Array.from(t, (c) => c.charCodeAt(0) & 0xff));
    const at = base.length;
    return [
      { at, bytes },
      { at: bs + 32, bytes: u64le(BigInt(at)) },
      { at: bs + 40, bytes: u64le(BigInt(bytes.length)) },
    ];
  };
  return { base, fields, data, withVmcoreinfo, vmcoreinfoText: text };
}

function flatStructure(base: Uint8Array): Structure {
  const v = new DataView(base.buffer, base.byteOffset, base.byteLength);
  const fields: Region[] = [{ what: 'flattened header', start: 0, end: 32 }];
  const data: Region[] = [];
  for (let p = 4096; p + 16 <= base.length; ) {
    fields.push({ what: 'flattened record header', start: p, end: p + 16 });
    const size = Number(v.getBigInt64(p + 8, false));
    if (size < 0) break;
    if (data.length < 64) data.push({ what: 'flattened record data', start: p + 16, end: p + 16 + Math.min(size, 4096) });
    p += 16 + size;
  }
  return { base, fields, data };
}

const INTERESTING = [0n, 1n, 2n, 3n, 7n, 0xffn, 0x1000n, 0xfffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  1n << 40n, 1n << 52n, 1n << 60n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, (1n << 64n) - 4096n];

const VMCOREINFO_VALUES = ['0', '1', '-1', '2', '63', '64', '65', '4095', '4097', '1048576', '0x10', '99999999999999999999',
  '18446744073709551615', '-9223372036854775808', 'ffffffffffffffff', '0000000000000000', '', ' ', 'x', '64.001953125', '1e9', '4096\0'];

/** Keys whose values the kernel structure readers compute with; mutated more often than the rest. */
const HOT_KEYS = ['PAGESIZE', 'SIZE(page)', 'NUMBER(SECTION_SIZE_BITS)', 'NUMBER(MAX_PHYSMEM_BITS)', 'SIZE(mem_section)',
  'OFFSET(mem_section.section_mem_map)', 'LENGTH(mem_section)', 'SYMBOL(mem_section)', 'SYMBOL(init_top_pgt)', 'NUMBER(phys_base)',
  'NUMBER(pgtable_l5_enabled)', 'SYMBOL(prb)', 'OFFSET(page.flags)', 'OFFSET(page.mapping)', 'OFFSET(page._mapcount)',
  'OFFSET(page.compound_head)', 'NUMBER(PG_lru)', 'NUMBER(PG_head_mask)', 'LENGTH(zone.free_area)', 'KERNELOFFSET', 'CRASHTIME',
  'SIZE(printk_ringbuffer)', 'OFFSET(prb_desc_ring.count_bits)', 'OFFSET(prb_data_ring.size_bits)', 'SIZE(prb_desc)', 'SIZE(printk_info)',
  'OFFSET(printk_info.text_len)', 'NUMBER(sme_mask)', 'SIZE(page_ext)'];

type Mutator = (s: Structure, r: () => number) => { patches: Patch[]; size?: number; label: string };

const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;
const inRegion = (g: Region, r: () => number) => g.start + Math.floor(r() * Math.max(1, g.end - g.start));

const fieldValue: Mutator = (s, r) => {
  const g = pick(s.fields, r);
  const width = pick([1, 2, 4, 8], r);
  const at = g.start + Math.floor((r() * (g.end - g.start)) / width) * width;
  const v = r() < 0.85 ? pick(INTERESTING, r) : BigInt(Math.floor(r() * 2 ** 32));
  const bytes = u64le(v).subarray(0, width);
  return { patches: [{ at, bytes }], label: `${g.what}+${at - g.start} := ${v} (${width} B)` };
};

const fieldValueBE: Mutator = (s, r) => {
  const g = pick(s.fields, r);
  const at = g.start + Math.floor((r() * (g.end - g.start)) / 8) * 8;
  const v = pick(INTERESTING, r);
  return { patches: [{ at, bytes: u64be(v) }], label: `${g.what}+${at - g.start} := ${v} (BE)` };
};

const byteFlips: Mutator = (s, r) => {
  const g = pick(r() < 0.3 ? s.fields : s.data.length ? s.data : s.fields, r);
  const n = 1 + Math.floor(r() * 8);
  const patches: Patch[] = [];
  for (let i = 0; i < n; i++) {
    const at = inRegion(g, r);
    const b = s.base[at] ?? 0;
    const nb = r() < 0.5 ? b ^ (1 << Math.floor(r() * 8)) : Math.floor(r() * 256);
    patches.push({ at, bytes: new Uint8Array([nb]) });
  }
  return { patches, label: `${n} byte(s) in ${g.what} ${g.start}..${g.end}` };
};

const vmcoreinfoValue: Mutator = (s, r) => {
  const lines = s.vmcoreinfoText!.split('\n');
  const hot = r() < 0.6;
  let idx = hot ? lines.findIndex((l) => l.startsWith(`${pick(HOT_KEYS, r)}=`)) : -1;
  if (idx < 0) idx = Math.floor(r() * lines.length);
  const line = lines[idx]!;
  const key = line.slice(0, line.indexOf('='));
  const roll = r();
  let label: string;
  if (roll < 0.1) {
    lines.splice(idx, 1);
    label = `VMCOREINFO without ${key}`;
  } else if (roll < 0.2) {
    lines[idx] = `${key}=${line.slice(key.length + 1)}${pick(['0', '9', 'f', '.5'], r)}`;
    label = `VMCOREINFO ${lines[idx]}`;
  } else {
    lines[idx] = `${key}=${pick(VMCOREINFO_VALUES, r)}`;
    label = `VMCOREINFO ${lines[idx]}`;
  }
  return { patches: s.withVmcoreinfo!(lines.join('\n')), label };
};

const hugeVmcoreinfo: Mutator = (s) => ({
  patches: s.withVmcoreinfo!(`${s.vmcoreinfoText!}${'NUMBER(pad)=1\n'.repeat(8 << 20 >> 4)}`),
  label: 'VMCOREINFO of 8 MiB',
});

interface Tally {
  inputs: number;
  worked: number;
  codes: Map<string, number>;
  failures: string[];
  slowest: number;
}

async function runOne(t: Tally, label: string, src: MutatedSource, classify: boolean): Promise<void> {
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ codes: [], crashes: [{ step: 'all', error: new Error(`no answer within ${HANG_MS} ms`) }] }), HANG_MS);
  });
  const r = await Promise.race([exercise(src, { classify, kernels }), hang]);
  clearTimeout(timer);
  const ms = performance.now() - t0;
  t.slowest = Math.max(t.slowest, ms);
  if (ms > 1000) console.log(`slow ${ms.toFixed(0)} ms: ${label}`);
  t.inputs++;
  if (r.codes.length === 0 && r.crashes.length === 0) t.worked++;
  for (const c of r.codes) t.codes.set(c, (t.codes.get(c) ?? 0) + 1);
  for (const c of r.crashes) if (t.failures.length < 20) t.failures.push(`${label} [${c.step}]: ${(c.error as Error)?.stack ?? c.error}`);
  if (src.largestRead > MAX_READ && t.failures.length < 20) t.failures.push(`${label}: read ${src.largestRead} bytes at once`);
}

/** Every input of the file's tests, for the closing line. */
const total = { inputs: 0, codes: new Set<string>() };
afterAll(() => console.log(`[fuzz total] ${total.inputs} inputs tried; ${total.codes.size} distinct error codes: ${[...total.codes].sort().join(', ')}`));

function report(name: string, t: Tally): void {
  total.inputs += t.inputs;
  for (const c of t.codes.keys()) total.codes.add(c);
  const codes = [...t.codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  console.log(`[fuzz ${name}] ${t.inputs} inputs: ${t.worked} read cleanly; ${t.codes.size} distinct error codes: ${codes}; slowest ${t.slowest.toFixed(0)} ms`);
}

const newTally = (): Tally => ({ inputs: 0, worked: 0, codes: new Map(), failures: [], slowest: 0 });

describe('fuzzed inputs fail with a VmsieveError, never a crash, hang or huge allocation', () => {
  // classifyEvery: reading every struct page of the dump is the slow step, so only some inputs go that far.
  const cases: Array<{ name: keyof FuzzBases; count: number; seed: number; classifyEvery: number }> = [
    { name: 'elf', count: 2000, seed: 11, classifyEvery: 10 },
    { name: 'kdumpRaw', count: 1200, seed: 12, classifyEvery: 50 },
    { name: 'kdumpZlib', count: 1000, seed: 13, classifyEvery: 50 },
    { name: 'flat', count: 800, seed: 14, classifyEvery: 50 },
  ];
  for (const c of cases) {
    it(`${c.count} mutations of ${c.name}`, async () => {
      const base = bases[c.name];
      const s = c.name === 'elf' ? await elfStructure(base) : c.name === 'flat' ? flatStructure(base) : await kdumpStructure(base);
      const mutators: Array<[Mutator, number]> = [[fieldValue, 3], [fieldValueBE, s.withVmcoreinfo ? 0 : 3], [byteFlips, 3], [vmcoreinfoValue, s.withVmcoreinfo ? 3 : 0]];
      const weights = mutators.reduce((n, [, w]) => n + w, 0);
      const r = rng(c.seed);
      const t = newTally();
      for (let i = 0; i < c.count; i++) {
        let roll = r() * weights;
        const m = mutators.find(([, w]) => (roll -= w) < 0)![0];
        const { patches, label } = m(s, r);
        const size = Math.max(base.length, ...patches.map((p) => p.at + p.bytes.length));
        await runOne(t, `#${i} ${label}`, new MutatedSource(base, patches, size), i % c.classifyEvery === 0);
      }
      if (s.withVmcoreinfo) {
        const { patches, label } = hugeVmcoreinfo(s, r);
        await runOne(t, label, new MutatedSource(base, patches, Math.max(...patches.map((p) => p.at + p.bytes.length))), false);
      }
      report(c.name, t);
      expect(t.failures).toEqual([]);
      expect(t.inputs).toBe(c.count + (s.withVmcoreinfo ? 1 : 0));
    });
  }

  it('truncation at many cut points of every format', async () => {
    const t = newTally();
    for (const name of ['elf', 'kdumpRaw', 'kdumpZlib', 'flat'] as const) {
      const base = bases[name];
      const cuts = new Set<number>([0, 1, 3, 4, 7, 8, 15, 16, 63, 64, 100, 463, 464, 4095, 4096, 4097, 4200, 8191, 8192, 8300]);
      const r = rng(99);
      for (let i = 0; i < 200; i++) cuts.add(Math.floor(r() * base.length));
      for (let i = 0; i < 40; i++) cuts.add(Math.floor(r() * Math.min(base.length, 1 << 16)));
      for (const cut of [...cuts].filter((x) => x < base.length)) await runOne(t, `${name} cut at ${cut}`, new MutatedSource(base, [], cut), false);
    }
    report('truncated', t);
    expect(t.failures).toEqual([]);
    expect(t.codes.get('E_TRUNCATED') ?? 0).toBeGreaterThan(0);
  });
});

/** How one mutated input ended, for the counts the lead pastes: refused with a code, read as incomplete, or exact. */
type Verdict = `refused ${string}` | 'incomplete' | 'exact';

interface OracleTally {
  inputs: number;
  verdicts: Map<Verdict, number>;
  failures: string[];
}

const oracleTotals = new Map<string, OracleTally>();
afterAll(() => {
  if (oracleTotals.size === 0) return;
  let all = 0;
  for (const [family, t] of oracleTotals) {
    all += t.inputs;
    const v = [...t.verdicts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`[fuzz oracle ${family}] ${t.inputs} inputs: ${v}`);
  }
  console.log(`[fuzz oracle total] ${all} mutated or truncated inputs opened and exported; 0 silent differences allowed`);
});

/** One input in this many is exported to a file and read back; the others are checked on the reader's output. */
const FULL_EXPORT_EVERY = 12;

/**
 * Opens the input (one file, or a split set with one member mutated), exports every page it holds to an
 * uncompressed kdump file, and checks each page of the export against the base read independently: a page that
 * differs where no patch touched it is a silent wrong result. Most inputs stop short of writing the file and check
 * what the reader would hand the writer (each page's descriptor and bytes), which is where a corrupt input goes wrong.
 */
async function exportAndCompare(
  t: OracleTally,
  label: string,
  sources: ByteSource[],
  truth: PageTruth,
  patches: readonly Patch[],
): Promise<void> {
  const verdict = async (): Promise<Verdict> => {
    let dump;
    try {
      dump = await openDumps(sources);
      if (!isKdumpDump(dump)) throw new Error('not read as a kdump file');
      let bad: number[];
      if (t.inputs % FULL_EXPORT_EVERY === 0) {
        const sink = new MemorySink();
        await writeKdump(dump, dump.selection(false), sink, { dumpLevel: 0 });
        bad = silentDifferences(rawPages(sink.bytes(), dump.pageSize), truth, patches);
      } else bad = await readerDifferences(dump, truth, patches);
      if (bad.length) throw new Error(`${bad.length} pages differ from the input's with nothing said, first pfn 0x${bad[0]!.toString(16)}`);
    } catch (e) {
      if (isVmsieveError(e)) return `refused ${e.code}`;
      throw e;
    }
    return (dump.missing?.length ?? 0) > 0 || dump.warnings?.some((w) => w.code === 'W_INCOMPLETE') ? 'incomplete' : 'exact';
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms`)), HANG_MS);
  });
  t.inputs++;
  try {
    const v = await Promise.race([verdict(), hang]);
    t.verdicts.set(v, (t.verdicts.get(v) ?? 0) + 1);
  } catch (e) {
    if (t.failures.length < 20) t.failures.push(`${label}: ${(e as Error)?.stack ?? e}`);
  } finally {
    clearTimeout(timer);
  }
  for (const s of sources)
    if (s instanceof MutatedSource && s.largestRead > MAX_READ && t.failures.length < 20) t.failures.push(`${label}: read ${s.largestRead} bytes at once`);
}

/** Header fields that are sizes, counts or offsets: the absurd-size family sets them to huge values. */
const SIZE_FIELDS: Array<{ what: string; at: (bs: number) => number; width: 4 | 8 }> = [
  { what: 'block_size', at: () => 428, width: 4 },
  { what: 'sub_hdr_size', at: () => 432, width: 4 },
  { what: 'bitmap_blocks', at: () => 436, width: 4 },
  { what: 'max_mapnr', at: () => 440, width: 4 },
  { what: 'start_pfn_64', at: (bs) => bs + 80, width: 8 },
  { what: 'end_pfn_64', at: (bs) => bs + 88, width: 8 },
  { what: 'max_mapnr_64', at: (bs) => bs + 96, width: 8 },
  { what: 'offset_vmcoreinfo', at: (bs) => bs + 32, width: 8 },
  { what: 'size_vmcoreinfo', at: (bs) => bs + 40, width: 8 },
  { what: 'offset_note', at: (bs) => bs + 48, width: 8 },
  { what: 'size_note', at: (bs) => bs + 56, width: 8 },
  { what: 'offset_eraseinfo', at: (bs) => bs + 64, width: 8 },
  { what: 'size_eraseinfo', at: (bs) => bs + 72, width: 8 },
];
const HUGE = [1n << 31n, 1n << 32n, (1n << 32n) - 1n, 1n << 34n, 1n << 40n, 1n << 52n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n];

describe('fuzzed kdump, flattened and split inputs: refused, marked incomplete, or exact (never silently different)', () => {
  const codecBases = new Map<string, Uint8Array>();
  beforeAll(async () => {
    for (const codec of ['lzo', 'snappy', 'zstd'] as const) codecBases.set(codec, await kdumpWithCodec(bases.elf, kernels, codec));
    codecBases.set('zlib', bases.kdumpZlib);
  }, 120_000);

  const tallyFor = (family: string) => {
    const t = oracleTotals.get(family) ?? { inputs: 0, verdicts: new Map(), failures: [] };
    oracleTotals.set(family, t);
    return t;
  };

  /** The mutators of the ELF/kdump fuzz, plus single bit flips in the bitmaps (the shifted table). */
  function kdumpMutations(s: Structure, count: number, seed: number): Array<{ patches: Patch[]; label: string }> {
    const l = kdumpLayout(s.base);
    const bitmaps: Region = { what: '2nd bitmap', start: l.bitmap2At, end: l.bitmap2At + l.bitmapBytes };
    const pages: Region = { what: 'page data', start: l.dataStart, end: s.base.length };
    const bitFlip: Mutator = (_s, r) => {
      const g = r() < 0.7 ? bitmaps : { what: '1st bitmap', start: l.bitmap1At, end: l.bitmap1At + l.bitmapBytes };
      const at = inRegion(g, r);
      const bit = Math.floor(r() * 8);
      return { patches: [{ at, bytes: new Uint8Array([s.base[at]! ^ (1 << bit)]) }], label: `bit ${bit} of ${g.what} byte ${at - g.start}` };
    };
    const withPages: Structure = { ...s, data: [...s.data, pages, pages] };
    const mutators: Array<[Mutator, number]> = [[fieldValue, 3], [byteFlips, 4], [bitFlip, 2], [vmcoreinfoValue, 1]];
    const weights = mutators.reduce((n, [, w]) => n + w, 0);
    const r = rng(seed);
    return Array.from({ length: count }, () => {
      let roll = r() * weights;
      return mutators.find(([, w]) => (roll -= w) < 0)![0](withPages, r);
    });
  }

  /** Cut points: inside the headers, bitmaps, descriptor table and page data. */
  function cuts(base: Uint8Array, n: number, seed: number): number[] {
    const l = kdumpLayout(base);
    const r = rng(seed);
    const at = new Set([100, l.blockSize + 50, l.bitmap1At + 10, l.bitmap2At + 10, l.descAt + 12, l.dataStart - 1, l.dataStart + 1]);
    while (at.size < n) at.add(Math.floor(r() * base.length));
    return [...at];
  }

  for (const [codec, seed] of [['zlib', 21], ['lzo', 22], ['snappy', 23], ['zstd', 24]] as const)
    it(`kdump-compressed (${codec}): 200 mutated and 40 truncated files`, async () => {
      const base = codecBases.get(codec)!;
      const truth = kdumpTruth(base, 4096);
      const s = await kdumpStructure(base);
      const t = tallyFor(`kdump ${codec}`);
      for (const [i, { patches, label }] of kdumpMutations(s, 200, seed).entries()) {
        const size = Math.max(base.length, ...patches.map((p) => p.at + p.bytes.length));
        await exportAndCompare(t, `#${i} ${label}`, [new MutatedSource(base, patches, size, `${codec}.kdump`)], truth, patches);
      }
      for (const cut of cuts(base, 40, seed)) await exportAndCompare(t, `cut at ${cut}`, [new MutatedSource(base, [], cut, `${codec}.kdump`)], truth, []);
      expect(t.failures).toEqual([]);
    });

  it('flattened: 340 mutated record headers and data, 40 truncations', async () => {
    const base = bases.flat;
    const truth = flatTruth(base, 4096);
    const s = flatStructure(base);
    const t = tallyFor('flattened');
    const r = rng(25);
    for (let i = 0; i < 340; i++) {
      const { patches, label } = (r() < 0.6 ? fieldValue : r() < 0.5 ? fieldValueBE : byteFlips)(s, r);
      const size = Math.max(base.length, ...patches.map((p) => p.at + p.bytes.length));
      await exportAndCompare(t, `#${i} ${label}`, [new MutatedSource(base, patches, size, 'dump.flat')], truth, patches);
    }
    for (let i = 0; i < 40; i++) {
      const cut = Math.floor(r() * base.length);
      await exportAndCompare(t, `cut at ${cut}`, [new MutatedSource(base, [], cut, 'dump.flat')], truth, []);
    }
    expect(t.failures).toEqual([]);
  });

  it('split sets: 450 mutations spread over the three members, 20 truncations of each', async () => {
    const members = await splitSetOf(bases.kdumpZlib, 3);
    const truths = members.map((m) => kdumpTruth(m, 4096));
    const pagesOfAll = new Map(truths.flatMap((x) => [...x.pages]));
    const storedOfAll = new Map(truths.flatMap((x) => [...x.stored]));
    const structures = await Promise.all(members.map(kdumpStructure));
    const t = tallyFor('split');
    const sourcesWith = (k: number, mutated: MutatedSource) => members.map((m, j) => (j === k ? mutated : new MemorySource(m, `member${j}`)));
    for (let k = 0; k < members.length; k++) {
      const base = members[k]!;
      const truth: PageTruth = { pages: pagesOfAll, ranges: truths[k]!.ranges, stored: storedOfAll };
      for (const [i, { patches, label }] of kdumpMutations(structures[k]!, 150, 26 + k).entries()) {
        const size = Math.max(base.length, ...patches.map((p) => p.at + p.bytes.length));
        await exportAndCompare(t, `member${k} #${i} ${label}`, sourcesWith(k, new MutatedSource(base, patches, size, `member${k}`)), truth, patches);
      }
      for (const cut of cuts(base, 20, 29 + k))
        await exportAndCompare(t, `member${k} cut at ${cut}`, sourcesWith(k, new MutatedSource(base, [], cut, `member${k}`)), truth, []);
    }
    expect(t.failures).toEqual([]);
  });

  it('absurd sizes: every size, count and offset field of the headers set huge, the file sometimes as large as claimed', async () => {
    const t = tallyFor('absurd sizes');
    const r = rng(30);
    const targets = [...codecBases.entries()].map(([codec, base]) => ({ name: `${codec}.kdump`, base, truth: kdumpTruth(base, 4096) }));
    for (let i = 0; i < 300; i++) {
      const { name, base, truth } = pick(targets, r);
      const f = pick(SIZE_FIELDS, r);
      const v = pick(HUGE, r);
      const patches = [{ at: f.at(4096), bytes: u64le(v).subarray(0, f.width) }];
      // A sparse file as large as the field says, or the real size.
      const size = r() < 0.5 ? base.length : Math.min(Number(v) * 8, 2 ** 50);
      await exportAndCompare(t, `#${i} ${name} ${f.what} := ${v}, size ${size}`, [new MutatedSource(base, patches, Math.max(size, base.length), name)], truth, patches);
    }
    const flatTruthBase = flatTruth(bases.flat, 4096);
    const s = flatStructure(bases.flat);
    for (let i = 0; i < 60; i++) {
      const g = pick(s.fields.filter((x) => x.what === 'flattened record header'), r);
      const patches = [{ at: g.start + (r() < 0.5 ? 0 : 8), bytes: u64be(pick(HUGE, r)) }];
      await exportAndCompare(t, `flat #${i} record header at ${g.start}`, [new MutatedSource(bases.flat, patches, bases.flat.length, 'dump.flat')], flatTruthBase, patches);
    }
    expect(t.failures).toEqual([]);
    expect(t.verdicts.get('exact') ?? 0).toBeLessThan(t.inputs);
  });
});
