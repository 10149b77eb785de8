// The AssemblyScript zlib page compressor, checked against node:zlib (an independent inflater and the
// level-1 size reference). Every stored page is inflated and compared; raw pages must be verbatim.
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressor, STORED_RAW, storedLength, type PageCompressor } from '../../src/codecs/registry.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { fixtureCacheDir } from '../helpers/fixtures.js';
import { nodeZlibPageCompressor } from '../helpers/zlib-node.js';

// ---- corpora ------------------------------------------------------------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

const words = (
  'the of and to in is it that for on with as was at by kernel page memory struct task file return static ' +
  'int unsigned long void if else while switch case break const char size_t spin_lock mutex list_head inode ' +
  'dentry slab cache pfn vmcore crash dump zone node printk: [ 0.000000] x86/fpu: Supporting XSAVE feature'
).split(' ');

type Kind = 'random' | 'text' | 'zero-heavy' | 'struct' | 'periodic' | 'one-byte' | 'copies' | 'near-random' | 'small-alphabet';
const kinds: Kind[] = ['random', 'text', 'zero-heavy', 'struct', 'periodic', 'one-byte', 'copies', 'near-random', 'small-alphabet'];

function fillPage(page: Uint8Array, kind: Kind, r: () => number): void {
  const n = page.length;
  const dv = new DataView(page.buffer, page.byteOffset, n);
  switch (kind) {
    case 'random':
      for (let i = 0; i < n; i++) page[i] = r() & 255;
      break;
    case 'text': {
      let i = 0;
      while (i < n) {
        const w = words[r() % words.length]! + ((r() & 7) === 0 ? '\n' : ' ');
        for (let j = 0; j < w.length && i < n; j++) page[i++] = w.charCodeAt(j);
      }
      break;
    }
    case 'zero-heavy':
      for (let k = r() % 40; k > 0; k--) page[r() % n] = r() & 255;
      break;
    case 'struct': // kernel pointers and small counters every 8 bytes
      for (let i = 0; i + 8 <= n; i += 8) {
        const k = r() % 4;
        if (k === 0) dv.setBigUint64(i, 0xffff888000000000n | (BigInt(r() & 0xfffff8) << 8n), true);
        else if (k === 1) dv.setUint32(i, r() % 64, true);
      }
      break;
    case 'periodic': {
      const period = 1 + (r() % 40);
      for (let i = 0; i < n; i++) page[i] = i < period ? r() & 255 : page[i - period]!;
      break;
    }
    case 'one-byte':
      page.fill(r() & 255);
      break;
    case 'copies': {
      const head = Math.min(n, 64 + (r() % 512));
      for (let i = 0; i < head; i++) page[i] = r() & 255;
      let i = head;
      while (i < n) {
        const d = 1 + (r() % i);
        const len = Math.min(n - i, 3 + (r() % 300));
        for (let j = 0; j < len; j++, i++) page[i] = page[i - d]!;
        for (let j = r() % 20; j > 0 && i < n; j--) page[i++] = r() & 255;
      }
      break;
    }
    case 'near-random':
      for (let i = 0; i < n; i++) page[i] = r() & 255;
      if (n >= 512) page.copyWithin(n - 256, 100, 356);
      break;
    case 'small-alphabet':
      for (let i = 0; i < n; i++) page[i] = 'ACGT'.charCodeAt(r() & 3);
  }
}

function synthetic(count: number, pageSize = 4096, seed = 1, only?: Kind): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(count * pageSize);
  for (let p = 0; p < count; p++) fillPage(out.subarray(p * pageSize, (p + 1) * pageSize), only ?? kinds[p % kinds.length]!, r);
  return out;
}

/** Non-zero pages spread evenly over every cached real vmcore (page data after the first 64 KiB). */
function realPages(perFile: number, pageSize = 4096): { pages: Uint8Array; source: string } | undefined {
  if (!existsSync(fixtureCacheDir)) return undefined;
  const files = readdirSync(fixtureCacheDir).filter((f) => f.endsWith('.vmcore')).sort();
  if (files.length === 0) return undefined;
  const out = new Uint8Array(files.length * perFile * pageSize);
  let got = 0;
  for (const f of files) {
    const fd = openSync(join(fixtureCacheDir, f), 'r');
    try {
      const total = Math.floor((fstatSync(fd).size - 65536) / pageSize);
      const stride = Math.max(1, Math.floor(total / (perFile * 3)));
      let kept = 0;
      for (let i = 0; i < total && kept < perFile; i += stride) {
        const page = out.subarray(got * pageSize, (got + 1) * pageSize);
        if (readSync(fd, page, 0, pageSize, 65536 + i * pageSize) < pageSize) break;
        if (page.every((b) => b === 0)) continue; // zero pages never reach the compressor
        got++;
        kept++;
      }
    } finally {
      closeSync(fd);
    }
  }
  return got === 0 ? undefined : { pages: out.subarray(0, got * pageSize), source: files.join(', ') };
}

// ---- checks --------------------------------------------------------------------------------------

interface Check {
  stored: number;
  raw: number;
  reference: number;
  problems: string[];
  blockTypes: Record<number, number>;
}

const isRaw = (w: number) => (w & STORED_RAW) !== 0;

/** Compresses, inflates every stored page with node:zlib, and sums our sizes and node:zlib level 1's. */
function check(c: PageCompressor, pages: Uint8Array, pageSize: number): Check {
  const { data, sizes } = c.compress(pages);
  const res: Check = { stored: 0, raw: 0, reference: 0, problems: [], blockTypes: {} };
  let at = 0;
  for (let i = 0; i < sizes.length; i++) {
    const w = sizes[i]!;
    const n = storedLength(w);
    const page = pages.subarray(i * pageSize, (i + 1) * pageSize);
    const stored = data.subarray(at, at + n);
    at += n;
    res.stored += n;
    res.reference += Math.min(deflateSync(page, { level: 1 }).length, pageSize);
    if (isRaw(w)) {
      res.raw++;
      if (n !== pageSize) res.problems.push(`page ${i}: raw with length ${n}`);
      else if (!Buffer.from(stored).equals(Buffer.from(page))) res.problems.push(`page ${i}: raw copy differs`);
      continue;
    }
    if (n >= pageSize) res.problems.push(`page ${i}: compressed length ${n} is not below the page size`);
    try {
      const back = inflateSync(stored);
      if (!Buffer.from(back).equals(Buffer.from(page))) res.problems.push(`page ${i}: inflated bytes differ`);
    } catch (e) {
      res.problems.push(`page ${i}: ${(e as Error).message}`);
    }
    const btype = (stored[2]! >> 1) & 3;
    res.blockTypes[btype] = (res.blockTypes[btype] ?? 0) + 1;
  }
  if (at !== data.length) res.problems.push(`sizes cover ${at} of ${data.length} bytes`);
  return res;
}

/** Code lengths of a dynamic block's literal/length alphabet and of its code-length code (RFC 1951 §3.2.7). */
function dynamicHeader(stream: Uint8Array): { litLens: number[]; clLens: number[] } | undefined {
  let pos = 16; // after CMF/FLG
  const bits = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++, pos++) v |= ((stream[pos >> 3]! >> (pos & 7)) & 1) << i;
    return v;
  };
  bits(1);
  if (bits(2) !== 2) return undefined;
  const hlit = bits(5) + 257;
  const hdist = bits(5) + 1;
  const hclen = bits(4) + 4;
  const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
  const clLens = new Array<number>(19).fill(0);
  for (let i = 0; i < hclen; i++) clLens[order[i]!] = bits(3);
  // canonical decode of the code-length code, one bit at a time
  const codes = new Map<string, number>();
  let code = 0;
  for (let len = 1; len <= 7; len++) {
    for (let s = 0; s < 19; s++) if (clLens[s] === len) codes.set(`${len}:${code++}`, s);
    code <<= 1;
  }
  const lens: number[] = [];
  while (lens.length < hlit + hdist) {
    let c = 0;
    let sym = -1;
    for (let len = 1; len <= 7 && sym < 0; len++) {
      c = (c << 1) | bits(1);
      sym = codes.get(`${len}:${c}`) ?? -1;
    }
    if (sym < 0) throw new Error('bad code-length code');
    if (sym < 16) lens.push(sym);
    else if (sym === 16) lens.push(...new Array<number>(3 + bits(2)).fill(lens[lens.length - 1]!));
    else if (sym === 17) lens.push(...new Array<number>(3 + bits(3)).fill(0));
    else lens.push(...new Array<number>(11 + bits(7)).fill(0));
  }
  return { litLens: lens.slice(0, hlit), clLens };
}

/** Depth of an unlimited Huffman code for the byte histogram of `bytes` (no LZ77). */
function huffmanDepth(bytes: Uint8Array): number {
  const counts = new Array<number>(256).fill(0);
  for (const b of bytes) counts[b]!++;
  let nodes = counts.filter((c) => c > 0).map((w) => ({ w, d: 0 }));
  while (nodes.length > 1) {
    nodes.sort((a, b) => a.w - b.w);
    const [a, b] = nodes as [{ w: number; d: number }, { w: number; d: number }];
    nodes = [{ w: a.w + b.w, d: Math.max(a.d, b.d) + 1 }, ...nodes.slice(2)];
  }
  return nodes[0]!.d;
}

describe('zlib page compressor (inflated by node:zlib)', () => {
  let k: KernelExports;
  beforeAll(async () => {
    k = await instantiateKernels(await nodeWasmModule());
  });

  it('round-trips every kind of synthetic page; raw only when not smaller', () => {
    const c = createCompressor(k, 'zlib', 4096, 64); // small batches: several wasm calls
    const pages = synthetic(900);
    const r = check(c, pages, 4096);
    expect(r.problems).toEqual([]);
    // the 100 random pages cannot shrink; near-random ones (one 256-byte repeat) barely can
    expect(r.raw).toBeGreaterThanOrEqual(100);
    expect(r.raw).toBeLessThanOrEqual(200);
    // both the fixed code (tiny/zero-heavy pages) and dynamic codes (text) are chosen somewhere
    expect(r.blockTypes[1]).toBeGreaterThan(0);
    expect(r.blockTypes[2]).toBeGreaterThan(0);
    expect(r.blockTypes[0] ?? 0).toBe(0);
  });

  it('stores random pages raw, verbatim, with bit 31 set', () => {
    const c = createCompressor(k, 'zlib', 4096);
    const pages = synthetic(50, 4096, 5, 'random');
    const { data, sizes } = c.compress(pages);
    expect([...sizes].every((w) => w === (0x8000_0000 | 4096) >>> 0)).toBe(true);
    expect(Buffer.from(data).equals(Buffer.from(pages))).toBe(true);
  });

  it('compresses nearly random pages that still shrink by more than 1/64 (entropy gate is not too eager)', () => {
    const c = createCompressor(k, 'zlib', 4096);
    const r = rng(8);
    for (const tail of [150, 300, 600]) {
      const page = new Uint8Array(4096);
      for (let i = 0; i < 4096 - tail; i++) page[i] = r() & 255;
      page.copyWithin(4096 - tail, 0, tail); // one long match at the end
      const res = check(c, page, 4096);
      expect(res.problems, `tail ${tail}`).toEqual([]);
      expect(res.raw, `tail ${tail}`).toBe(0);
      expect(res.stored, `tail ${tail}`).toBeLessThan(4096 - tail + 200);
    }
  });

  it('writes zlib streams node:zlib accepts: 78 01 header, final block, Adler-32 trailer', () => {
    const c = createCompressor(k, 'zlib', 4096);
    const pages = synthetic(9, 4096, 11, 'text');
    const { data, sizes } = c.compress(pages);
    let at = 0;
    for (const w of sizes) {
      const n = storedLength(w);
      expect(isRaw(w)).toBe(false);
      expect([data[at], data[at + 1]]).toEqual([0x78, 0x01]);
      expect(((data[at]! << 8) | data[at + 1]!) % 31).toBe(0);
      expect(data[at + 2]! & 1).toBe(1); // BFINAL
      at += n;
    }
  });

  it('text-like, zero-heavy and struct-like pages compress about as well as node:zlib level 1', () => {
    const c = createCompressor(k, 'zlib', 4096);
    for (const kind of ['text', 'zero-heavy', 'struct', 'copies', 'small-alphabet'] as const) {
      const r = check(c, synthetic(200, 4096, 3, kind), 4096);
      expect(r.problems, kind).toEqual([]);
      expect(r.raw, kind).toBe(0);
      expect(r.stored / r.reference, kind).toBeLessThan(1.1);
    }
  });

  it('is deterministic and independent of batch boundaries', () => {
    const pages = synthetic(90, 4096, 3);
    const a = createCompressor(k, 'zlib', 4096, 1024).compress(pages);
    const b = createCompressor(k, 'zlib', 4096, 7).compress(pages);
    const again = createCompressor(k, 'zlib', 4096, 1024).compress(pages);
    expect(Buffer.from(b.sizes.buffer).equals(Buffer.from(a.sizes.buffer))).toBe(true);
    expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true);
    expect(Buffer.from(again.data).equals(Buffer.from(a.data))).toBe(true);
  });

  it('round-trips random literal/match mixes (property test)', () => {
    const r = rng(99);
    const count = 600;
    const pages = new Uint8Array(count * 4096);
    for (let p = 0; p < count; p++) {
      const page = pages.subarray(p * 4096, (p + 1) * 4096);
      const alphabet = [2, 4, 16, 256][(p >> 4) % 4]!;
      let i = 0;
      while (i < 4096) {
        const lit = r() % [4, 20, 300, 1200][p % 4]!;
        for (let j = 0; j < lit && i < 4096; j++) page[i++] = r() % alphabet;
        if (i === 0) continue;
        const d = 1 + (r() % Math.min(i, 4096));
        const len = 3 + (r() % [10, 40, 600, 3000][(p >> 2) % 4]!);
        for (let j = 0; j < len && i < 4096; j++, i++) page[i] = page[i - d]!;
      }
    }
    const res = check(createCompressor(k, 'zlib', 4096), pages, 4096);
    expect(res.problems).toEqual([]);
  });

  it('round-trips other page sizes, including 64 KiB pages with repeats beyond the 32 KiB window', () => {
    for (const pageSize of [1, 5, 64, 1000, 16384, 65536]) {
      const pages = synthetic(18, pageSize, pageSize);
      const res = check(createCompressor(k, 'zlib', pageSize, 4), pages, pageSize);
      expect(res.problems, `page size ${pageSize}`).toEqual([]);
    }
    // a 64 KiB page whose second half repeats its first half from 40000 bytes back: not reachable
    const big = new Uint8Array(65536);
    const r = rng(4);
    for (let i = 0; i < 40000; i++) big[i] = r() & 255;
    big.copyWithin(40000, 0, 25536);
    const res = check(createCompressor(k, 'zlib', 65536, 1), big, 65536);
    expect(res.problems).toEqual([]);
  });

  it('limits literal/length codes to 15 bits on a skewed (Fibonacci) histogram', () => {
    // 64 KiB: even bytes follow Fibonacci counts over symbols 128.., odd bytes are random in 0..127 (so 4-byte
    // repeats are rare and LZ77 leaves the histogram alone). An unlimited Huffman code for it is deeper than 15.
    const fib = [1, 1, 1];
    while (fib.reduce((a, b) => a + b) + fib[fib.length - 1]! + fib[fib.length - 2]! <= 32768) fib.push(fib[fib.length - 1]! + fib[fib.length - 2]!);
    fib.push(32768 - fib.reduce((a, b) => a + b));
    const half: number[] = [];
    fib.forEach((f, s) => half.push(...new Array<number>(f).fill(128 + s)));
    const r = rng(77);
    for (let i = half.length - 1; i > 0; i--) {
      const j = r() % (i + 1);
      [half[i], half[j]] = [half[j]!, half[i]!];
    }
    const page = new Uint8Array(65536);
    for (let i = 0; i < 32768; i++) {
      page[2 * i] = half[i]!;
      page[2 * i + 1] = r() & 127;
    }
    expect(huffmanDepth(page)).toBeGreaterThan(15);
    const c = createCompressor(k, 'zlib', 65536, 1);
    const res = check(c, page, 65536);
    expect(res.problems).toEqual([]);
    const { data, sizes } = c.compress(page);
    expect(isRaw(sizes[0]!)).toBe(false);
    const h = dynamicHeader(data);
    expect(h).toBeDefined();
    expect(Math.max(...h!.litLens)).toBe(15);
    expect(Math.max(...h!.clLens)).toBeLessThanOrEqual(7);
  });

  it('rejects bad arguments instead of writing out of bounds', () => {
    const c = createCompressor(k, 'zlib', 4096, 2); // makes sure the windows exist
    expect(c.pageSize).toBe(4096);
    const input = k.arenaAlloc(8192) >>> 0;
    const output = k.arenaAlloc(8192) >>> 0;
    const sizes = k.arenaAlloc(8) >>> 0;
    // a page that does not fit the window gets size 0 and stops the batch, as with every page codec
    new Uint32Array(k.memory.buffer, sizes, 2).fill(7);
    expect(k.zlibCompressPages(input, 2, 4096, output, 0, sizes) >>> 0).toBe(0);
    expect(Array.from(new Uint32Array(k.memory.buffer, sizes, 2))).toEqual([0, 0]);
    expect(k.zlibCompressPages(input, 1, 0, output, 8192, sizes) >>> 0).toBe(0xffff_ffff);
    expect(k.zlibCompressPages(input, 1, 65537, output, 8192, sizes) >>> 0).toBe(0xffff_ffff);
    expect(k.zlibCompressPages(input, 0, 4096, output, 0, sizes) >>> 0).toBe(0);
    expect(() => createCompressor(k, 'zlib', 0)).toThrow(RangeError);
    expect(() => c.compress(new Uint8Array(100))).toThrow(RangeError);
  });

  const real = realPages(1500);
  it.skipIf(!real)(`round-trips real kernel pages, within 10% of node:zlib level 1 (${real?.source ?? 'no cached vmcore in .cache/fixtures'})`, async () => {
    const c = await nodeZlibPageCompressor(4096); // the Node helper, on its own instance
    const res = check(c, real!.pages, 4096);
    expect(res.problems).toEqual([]);
    expect(res.stored / res.reference).toBeLessThanOrEqual(1.1);
  });

  it('stays within 10% of node:zlib level 1 on a realistic mix (real pages when cached, else synthetic)', () => {
    const pages = real?.pages ?? synthetic(1800, 4096, 21);
    const res = check(createCompressor(k, 'zlib', 4096), pages, 4096);
    expect(res.problems).toEqual([]);
    const ratio = res.stored / res.reference;
    console.info(`[codec-zlib] ${pages.length / 4096} pages: ours ${res.stored} B, node:zlib level 1 ${res.reference} B (×${ratio.toFixed(4)}), ${res.raw} raw`);
    expect(ratio).toBeLessThanOrEqual(1.1);
  });
});
