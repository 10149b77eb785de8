/**
 * The synthetic vmcore generator (fixtures/gen), read back with a small independent reader:
 * ELF headers and notes, VMCOREINFO keys against the real 6.1/6.12 notes, page-table walks
 * (4- and 5-level, 1G/2M/4K pages), mem_section decoding, struct pages, the kernel-image
 * duplicate, page contents vs the predicted zero pages, sparse writing, the report's invariants.
 */
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, generateVmcore, type GenerateOptions, type Prediction } from '../../fixtures/gen/generate.js';
import { Content } from '../../fixtures/gen/content.js';
import { K } from '../../fixtures/gen/model.js';
import { buildPrb, formatRecord } from '../../fixtures/gen/prb.js';
import { parseCliArgs, runCli } from '../../fixtures/gen/cli.js';
import { repoRoot, sharedFixturesDir } from '../helpers/fixtures.js';

const dir = join(repoRoot, '.cache', 'gen');
const PAGE = 4096;

/** Minimal independent reader of an ELF vmcore: physical reads, VMCOREINFO, VA->PA walk. */
class Reader {
  fd: number;
  loads: Array<{ offset: number; vaddr: bigint; paddr: number; filesz: number; memsz: number }> = [];
  notes: Array<{ name: string; type: number; desc: Uint8Array }> = [];
  info = new Map<string, string>();
  constructor(path: string) {
    this.fd = openSync(path, 'r');
    const eh = this.read(0, 64);
    const dv = new DataView(eh.buffer);
    expect([...eh.subarray(0, 7)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    expect(dv.getUint16(16, true)).toBe(4); // ET_CORE
    expect(dv.getUint16(18, true)).toBe(62); // EM_X86_64
    const phoff = Number(dv.getBigUint64(32, true)), phnum = dv.getUint16(56, true);
    expect(phoff).toBe(64);
    const ph = new DataView(this.read(phoff, 56 * phnum).buffer);
    for (let i = 0; i < phnum; i++) {
      const o = i * 56, type = ph.getUint32(o, true);
      const offset = Number(ph.getBigUint64(o + 8, true)), filesz = Number(ph.getBigUint64(o + 32, true));
      if (type === 4) {
        expect(i).toBe(0);
        const nb = this.read(offset, filesz), nd = new DataView(nb.buffer);
        for (let q = 0; q < nb.length;) {
          const namesz = nd.getUint32(q, true), descsz = nd.getUint32(q + 4, true), t = nd.getUint32(q + 8, true);
          const name = new TextDecoder().decode(nb.subarray(q + 12, q + 12 + namesz - 1));
          const d0 = q + 12 + ((namesz + 3) & ~3);
          this.notes.push({ name, type: t, desc: nb.slice(d0, d0 + descsz) });
          q = d0 + ((descsz + 3) & ~3);
        }
      } else if (type === 1) {
        this.loads.push({ offset, filesz, vaddr: ph.getBigUint64(o + 16, true), paddr: Number(ph.getBigUint64(o + 24, true)), memsz: Number(ph.getBigUint64(o + 40, true)) });
      }
    }
    const vi = this.notes.find((n) => n.name === 'VMCOREINFO')!;
    for (const line of new TextDecoder().decode(vi.desc).split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) this.info.set(line.slice(0, eq), line.slice(eq + 1));
    }
  }
  close() { closeSync(this.fd); }
  read(off: number, n: number): Uint8Array {
    const b = new Uint8Array(n);
    readSync(this.fd, b, 0, n, off);
    return b;
  }
  /** Physical read through the first PT_LOAD holding it (like makedumpfile's paddr_to_offset). */
  phys(pa: number, n: number, skipFirst = false): Uint8Array {
    for (const [i, l] of this.loads.entries()) {
      if (skipFirst && i === 0) continue;
      if (pa >= l.paddr && pa + n <= l.paddr + l.filesz) return this.read(l.offset + pa - l.paddr, n);
    }
    throw new Error(`paddr ${pa.toString(16)} not in file`);
  }
  u64(pa: number): bigint { return new DataView(this.phys(pa, 8).buffer).getBigUint64(0, true); }
  sym(name: string): bigint { return BigInt('0x' + this.info.get(`SYMBOL(${name})`)!); }
  num(name: string): bigint { return BigInt(this.info.get(`NUMBER(${name})`)!); }
  /** x86_64 page-table walk from init_top_pgt; also returns the leaf size. */
  vtop(va: bigint): { pa: number; size: number } {
    const l5 = this.num('pgtable_l5_enabled') !== 0n;
    let table = Number(this.sym('init_top_pgt') - 0xffffffff80000000n + this.num('phys_base'));
    const mask = 0x000ffffffffff000n;
    for (const sh of l5 ? [48, 39, 30, 21, 12] : [39, 30, 21, 12]) {
      const e = this.u64(table + Number((va >> BigInt(sh)) & 511n) * 8);
      if (!(e & 1n)) throw new Error(`not present at shift ${sh} for ${va.toString(16)}`);
      if (sh === 12 || ((sh === 30 || sh === 21) && e & 0x80n)) {
        const size = 2 ** sh;
        return { pa: Number(e & mask & ~BigInt(size - 1)) + Number(va & BigInt(size - 1)), size };
      }
      table = Number(e & mask);
    }
    throw new Error('unreachable');
  }
  virt(va: bigint, n: number): Uint8Array { return this.phys(this.vtop(va).pa, n); }
}

function keysOf(text: string): string[] {
  return text.split('\n').filter((l) => l.includes('=')).map((l) => l.slice(0, l.indexOf('=')));
}

describe('generator: model and prediction (no file)', () => {
  it('VMCOREINFO has the real 6.1 / 6.12 keys, in order (minus kallsyms), with their value syntax', () => {
    for (const [name, kernel] of [['dev-kdump-288m-4l-kaslr', '6.1'], ['next-kdump612-384m-4l-kaslr', '6.12']] as const) {
      const f = join(sharedFixturesDir, `${name}.makedumpfile.json`);
      const { prediction: p } = buildModel({ kernel, memoryMiB: 40, printk: false });
      if (existsSync(f)) {
        const real = keysOf(JSON.parse(readFileSync(f, 'utf8')).vmcoreinfo_text).filter((k) => !k.startsWith('SYMBOL(kallsyms_'));
        expect(keysOf(p.vmcoreinfo)).toEqual(real);
      }
      expect(p.vmcoreinfo).toMatch(/^SYMBOL\(mem_section\)=[0-9a-f]+$/m); // hex, no 0x
      expect(p.vmcoreinfo).toMatch(/^NUMBER\(phys_base\)=-\d+$/m); // KASLR: negative signed decimal
      expect(p.vmcoreinfo).toMatch(/^KERNELOFFSET=[0-9a-f]+$/m);
    }
  });

  it('--page-cache-random adds exactly that much non-private page cache of random data, excluded by bit 2', () => {
    const { model, prediction } = buildModel({ printk: false, memoryMiB: 2048, seed: 4, pageCacheRandomMiB: 64 });
    let randomCache = 0;
    for (let pfn = 0; pfn < model.kind.length; pfn++) if (model.kind[pfn] === K.CACHE && model.cont[pfn] === Content.Random) randomCache++;
    expect(randomCache).toBe((64 << 20) / 4096);
    expect(prediction.levels[2]!.cache).toBeGreaterThanOrEqual(randomCache);
  });

  it('report invariants hold at every level', () => {
    for (const o of [{}, { kernel: '6.12' }, { fiveLevel: true, memoryMiB: 72 }, { hole: false, kaslr: false }] as GenerateOptions[]) {
      const { prediction: p } = buildModel({ printk: false, ...o });
      for (const levels of [p.levels, p.levelsMakedumpfile172]) {
        for (let L = 0; L < 32; L++) {
          const r = levels[L]!;
          expect(r.excluded).toBe(r.zero + r.cache + r.cachePrivate + r.user + r.free + r.hwpoison + r.offline);
          expect(r.remaining).toBe(r.original - r.excluded);
          expect(r.total).toBe(p.maxPfn);
          expect(r.memoryHole).toBe(r.total - r.original);
          if (!(L & 1)) expect(r.zero).toBe(0);
          if (!(L & 2) && !(L & 4)) expect(r.cache + r.cachePrivate).toBe(0);
          if (!(L & 4)) expect(r.cachePrivate).toBe(0);
          if (!(L & 8)) expect(r.user).toBe(0);
          if (!(L & 16)) expect(r.free).toBe(0);
          expect(r.offline).toBeGreaterThan(0); // always excluded
        }
        expect(levels[4]).toEqual(levels[6]); // bit 4 already removes all cache
        expect(levels[0]!.hwpoison).toBeGreaterThan(levels[8]!.hwpoison); // anon poisoned pages count as user at -d 8
        expect(levels[1]!.zero).toBeGreaterThan(levels[31]!.zero);
      }
      const segPages = p.segments.reduce((s, g) => s + g.memsz / PAGE, 0);
      expect(p.originalPages).toBe(segPages); // kernel image pages counted twice
    }
  });

  it('6.12-style dumps: Debian 1.7.2 is predicted to differ (slab with odd mapping word, hugetlb, large folios)', () => {
    const { prediction: p } = buildModel({ kernel: '6.12', printk: false });
    expect(p.differsFrom172).toBe(true);
    const up = p.levels[8]!, old = p.levelsMakedumpfile172[8]!;
    expect(old.user).not.toBe(up.user);
    // no difference for levels that only free/zero/cache-filter order-0 pages? free is the same
    expect(p.levelsMakedumpfile172[16]!.free).toBe(p.levels[16]!.free);
    const { prediction: q } = buildModel({ kernel: '6.1', printk: false });
    expect(q.differsFrom172).toBe(false);
  });

  it('is deterministic per seed', () => {
    const a = buildModel({ seed: 5, printk: true }).prediction, b = buildModel({ seed: 5, printk: true }).prediction;
    const c = buildModel({ seed: 6, printk: true }).prediction;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(c.levels[31]).not.toEqual(a.levels[31]);
  });

  it('every page kind is present', () => {
    const { prediction: p } = buildModel({});
    for (const k of Object.keys(K)) if (!['HOLE', 'UNSET', 'SLAB_ODD'].includes(k)) expect(p.pageKinds[k], k).toBeGreaterThan(0);
    expect(buildModel({ kernel: '6.12' }).prediction.pageKinds.SLAB_ODD).toBeGreaterThan(0);
  });
});

describe('generator: printk ring', () => {
  it('wraps text blocks, evicts old records, hides the reserved one, formats like makedumpfile', () => {
    const msgs = Array.from({ length: 40 }, (_, i) => ({ tsNsec: BigInt(i) * 1_234_567_890n, text: `message number ${i} ${'x'.repeat(i % 23)}` }));
    msgs.push({ tsNsec: 99_000_000_000n, text: 'two\nlines' }, { tsNsec: 99_500_000_000n, text: 'committed' }, { tsNsec: 100_000_000_000n, text: 'being written' });
    const img = buildPrb(msgs, 4, 10);
    expect(img.stats.wrappedBlocks).toBeGreaterThan(0);
    expect(img.stats.evicted).toBeGreaterThan(0);
    expect(img.stats).toMatchObject({ committed: 1, reserved: 1 });
    expect(img.expectedDmesg).not.toContain('being written');
    expect(img.expectedDmesg).toContain('[   99.000000] two\n               lines\n');
    expect(img.expectedDmesg.endsWith('[   99.500000] committed\n')).toBe(true);
    expect(formatRecord(1_000_001_000n, new Uint8Array([0x41, 0x01]))).toBe('[    1.000001] A\\x01\n');
    // reading the ring the way makedumpfile does gives the same text
    const dv = new DataView(img.descs.buffer), iv = new DataView(img.infos.buffer);
    const count = 1 << img.countBits, size = 1 << img.sizeBits;
    let out = '';
    for (let id = img.tailId; ; id++) {
      const d = Number(id % BigInt(count));
      const sv = dv.getBigUint64(d * 24, true);
      const st = sv >> 62n;
      if ((sv & ((1n << 62n) - 1n)) === id && (st === 1n || st === 2n)) {
        let b = Number(dv.getBigUint64(d * 24 + 8, true) % BigInt(size));
        const n = Number(dv.getBigUint64(d * 24 + 16, true) % BigInt(size));
        if (b > n) b = 0;
        const len = iv.getUint16(d * 88 + 16, true);
        out += formatRecord(iv.getBigUint64(d * 88 + 8, true), img.data.subarray(b + 8, b + 8 + len));
      }
      if (id === img.headId) break;
    }
    expect(out).toBe(img.expectedDmesg);
  });
});

describe('generator: written files read back independently', () => {
  const written: string[] = [];
  beforeAll(() => mkdirSync(dir, { recursive: true }));
  afterAll(() => { for (const f of written) rmSync(f, { force: true }); });

  const shapes: Array<[string, GenerateOptions]> = [
    ['4l-1G-2M', { memoryMiB: 48, truncateTailMiB: 4, seed: 21 }],
    ['5l-2M-4K', { memoryMiB: 72, fiveLevel: true, directMap: '2M', vmemmapPages: '4K', seed: 22 }],
    ['4l-sparse-nokaslr-6.12', { memoryMiB: 40, memmapModel: 'sparse', kaslr: false, kernel: '6.12', hole: false, seed: 23 }],
  ];
  for (const [name, opts] of shapes) {
    it(`${name}: headers, translation, mem_section, struct pages, contents`, async () => {
      const file = join(dir, `unit-${name}.vmcore`);
      written.push(file);
      const p: Prediction = await generateVmcore(file, opts);
      const { model: m } = buildModel(opts);
      const st = statSync(file);
      expect(st.size).toBe(p.fileSize);
      expect(p.bytesWritten).toBeLessThan(p.fileSize);
      expect(st.blocks * 512).toBeLessThan(st.size); // sparse
      const r = new Reader(file);
      try {
        // notes: one NT_PRSTATUS (336 B) per CPU with rip inside the kernel text, then VMCOREINFO
        const prs = r.notes.filter((n) => n.name === 'CORE' && n.type === 1);
        expect(prs.length).toBe(opts.cpus ?? 2);
        const stext = r.sym('_stext');
        for (const n of prs) {
          expect(n.desc.length).toBe(336);
          const rip = new DataView(n.desc.buffer).getBigUint64(112 + 16 * 8, true);
          expect(rip > stext && rip < stext + 0x1000000n).toBe(true);
        }
        expect(r.notes.at(-1)!.name).toBe('VMCOREINFO');
        // KASLR facts
        expect(stext).toBe(0xffffffff81000000n + BigInt('0x' + r.info.get('KERNELOFFSET')!));
        const k0 = r.loads[0]!;
        expect(k0.vaddr).toBe(stext);
        expect(BigInt(k0.paddr)).toBe(stext - 0xffffffff80000000n + r.num('phys_base'));
        // the kernel image bytes equal the same physical pages in the RAM PT_LOAD
        for (const off of [0, k0.filesz / 2, k0.filesz - PAGE]) {
          expect(r.phys(k0.paddr + off, PAGE, true)).toEqual(r.phys(k0.paddr + off, PAGE));
        }
        // the kernel text VA and the direct map translate (page walk) to the same place
        const pageOffset = r.loads[2]!.vaddr - BigInt(r.loads[2]!.paddr);
        expect(r.vtop(stext + 0x3000n).pa).toBe(k0.paddr + 0x3000);
        expect(r.vtop(stext).size).toBe(2 << 20);
        expect(r.vtop(pageOffset + 0x123456n).pa).toBe(0x123456);
        expect(r.vtop(pageOffset + 0x123456n).size).toBe(opts.directMap === '2M' ? 2 << 20 : 1 << 30);
        // utsname
        const uts = new TextDecoder().decode(r.virt(r.sym('init_uts_ns') + 130n, 65)).replace(/\0.*$/s, '');
        expect(uts).toBe(r.info.get('OSRELEASE'));
        // mem_section: SPARSEMEM_EXTREME root array, encoded mem_map with flag bits
        const maxBits = Number(r.num('MAX_PHYSMEM_BITS'));
        expect(Number(r.info.get('LENGTH(mem_section)'))).toBe(2 ** (maxBits - 27) / 128);
        const rootArr = r.sym('mem_section');
        const sectionMap = (s: number): bigint | undefined => {
          const root = new DataView(r.virt(rootArr + BigInt((s >> 7) * 8), 8).buffer).getBigUint64(0, true);
          if (!root) return undefined;
          const coded = new DataView(r.virt(root + BigInt((s & 127) * 32), 8).buffer).getBigUint64(0, true);
          if (!(coded & 1n)) return undefined;
          expect(coded & 0x3fn).toBe(0xfn);
          return BigInt.asUintN(64, (coded & ~0x3fn) + BigInt(s * 32768 * 64));
        };
        for (let s = 0; s < Math.ceil(p.maxPfn / 32768); s++) {
          expect(sectionMap(s) !== undefined, `section ${s}`).toBe(p.presentSections.includes(s));
        }
        // struct pages read through mem_map + page walk, checked semantically against the plan
        const P = opts.kernel === '6.12' ? { lru: 5, head: 6, priv: 14 } : { lru: 4, head: 16, priv: 13 };
        const buddyV = BigInt(r.info.get('NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)')!);
        const offV = BigInt(r.info.get('NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)')!);
        const seen = new Set<number>();
        for (let pfn = 0; pfn < p.maxPfn; pfn += 7) {
          const s = Math.floor(pfn / 32768);
          const mm = sectionMap(s);
          if (mm === undefined) continue;
          const sp = new DataView(r.virt(mm + BigInt((pfn % 32768) * 64), 64).buffer);
          const flags = sp.getUint32(0, true), mapping = sp.getBigUint64(24, true), mapcount = BigInt(sp.getInt32(48, true));
          const kd = m.kind[pfn]!;
          seen.add(kd);
          if (kd === K.ANON || kd === K.THP) expect(mapping & 1n).toBe(1n);
          if (kd === K.KSM) expect(mapping & 3n).toBe(3n);
          if (kd === K.CACHE) { expect(flags & (1 << P.lru)).not.toBe(0); expect(mapping & 3n).toBe(0n); }
          if (kd === K.CACHE_PRIV) expect(flags & (1 << P.priv)).not.toBe(0);
          if (kd === K.BUDDY) expect(mapcount).toBe(buddyV);
          if (kd === K.OFFLINE) expect(mapcount).toBe(offV);
          if (kd === K.THP_TAIL || kd === K.HUGETLB_TAIL || kd === K.BUDDY_TAIL) {
            const head = sp.getBigUint64(8, true);
            expect(head & 1n).toBe(kd === K.BUDDY_TAIL ? 0n : 1n);
            if (kd !== K.BUDDY_TAIL) {
              const hs = new DataView(r.virt(head - 1n, 8).buffer).getUint32(0, true);
              expect(hs & (1 << P.head)).not.toBe(0);
            }
          }
        }
        expect(seen.size).toBeGreaterThan(15);
        // vmemmap page size as configured
        if (!opts.memmapModel || opts.memmapModel === 'vmemmap') {
          expect(r.vtop(sectionMap(0)!).size).toBe(opts.vmemmapPages === '4K' ? PAGE : 2 << 20);
        }
        // every page's bytes: all-zero exactly where the prediction's zero pages are (d 1 counts them)
        let zero = 0;
        const buf = new Uint8Array(PAGE);
        for (const l of r.loads.slice(1)) {
          for (let pa = l.paddr; pa < l.paddr + l.filesz; pa += PAGE) {
            readSync(r.fd, buf, 0, PAGE, l.offset + pa - l.paddr);
            let nz = false;
            for (let i = 0; i < PAGE; i += 8) if (buf[i] | buf[i + 1]! | buf[i + 2]! | buf[i + 3]! | buf[i + 4]! | buf[i + 5]! | buf[i + 6]! | buf[i + 7]!) { nz = true; break; }
            const pfn = pa / PAGE;
            const excluded = m.kind[pfn] === K.OFFLINE || m.kind[pfn] === K.HWP_ANON || m.kind[pfn] === K.HWP_CACHE || m.kind[pfn] === K.HWP_KERNEL;
            if (!nz && !excluded) zero++;
          }
        }
        expect(zero).toBe(p.levels[1]!.zero);
      } finally {
        r.close();
      }
    }, 60_000);
  }

  it('cli: parses options, prints a summary, writes the prediction', async () => {
    expect(parseCliArgs(['--out', 'x', '--mem', '96', '--kernel', '6.12', '--5level', '--vmemmap', 'mixed']).options)
      .toEqual({ memoryMiB: 96, kernel: '6.12', fiveLevel: true, vmemmapPages: 'mixed' });
    const lines: string[] = [];
    expect(await runCli(['--bogus'], (s) => lines.push(s))).toBe(2);
    expect(await runCli(['--help'], (s) => lines.push(s))).toBe(0);
    const out = join(dir, 'unit-cli.vmcore'), pj = join(dir, 'unit-cli.json');
    written.push(out, pj);
    expect(await runCli(['--out', out, '--mem', '40', '--prediction', pj], (s) => lines.push(s))).toBe(0);
    const p = JSON.parse(readFileSync(pj, 'utf8')) as Prediction;
    expect(p.levels[31]!.total).toBe(p.maxPfn);
    expect(lines.join('\n')).toMatch(/ 31 +\d+/);
  });
});
