import { describe, expect, it } from 'vitest';
import type { KernelReader } from '../../src/kernel/dmesg/types.js';
import { formatResolved, lookupSymbol, parseSymbolQuery, readKallsyms, SymbolTable, type KernelSymbol } from '../../src/kernel/kallsyms/index.js';
import { VmcoreInfo } from '../../src/model/vmcoreinfo.js';

const IMAGE = 0xffffffff81000000n;

/** Kernel memory as one byte array at IMAGE, with the arrays laid out as scripts/kallsyms.c emits them. */
class FakeKernel implements KernelReader {
  readonly bytes = new Uint8Array(1 << 16);
  private top = 0;
  info = new VmcoreInfo('');
  readonly byteOrder = 'little';

  place(data: Uint8Array, align = 8): bigint {
    this.top = Math.ceil(this.top / align) * align;
    this.bytes.set(data, this.top);
    const at = IMAGE + BigInt(this.top);
    this.top += data.length;
    return at;
  }

  async readVirt(vaddr: bigint, length: number): Promise<Uint8Array> {
    const off = Number(vaddr - IMAGE);
    if (off < 0 || off + length > this.bytes.length) throw new Error(`unmapped 0x${vaddr.toString(16)}`);
    return this.bytes.slice(off, off + length);
  }
}

/** Token 0x01 expands to "_s", every other byte to itself: names use both, and a long one needs a 2-byte length. */
function tokenTables(): { table: Uint8Array; index: Uint8Array } {
  const parts: number[] = [];
  const index = new Uint8Array(512);
  const dv = new DataView(index.buffer);
  for (let i = 0; i < 256; i++) {
    dv.setUint16(i * 2, parts.length, true);
    const text = i === 1 ? '_s' : i === 0 ? '?' : String.fromCharCode(i);
    for (const c of text) parts.push(c.charCodeAt(0));
    parts.push(0);
  }
  return { table: Uint8Array.from(parts), index };
}

function encodeNames(symbols: Array<{ type: string; name: string }>): Uint8Array {
  const out: number[] = [];
  for (const s of symbols) {
    const body = [...(s.type + s.name).replace(/^T_s/, 'T\u0001')].map((c) => c.charCodeAt(0));
    if (body.length >= 0x80) out.push((body.length & 0x7f) | 0x80, body.length >> 7);
    else out.push(body.length);
    out.push(...body);
  }
  return Uint8Array.from(out);
}

const LONG = `a_${'very_'.repeat(40)}long_symbol`;
const SYMBOLS = [
  { type: 'D', name: 'fixed_percpu_data', address: 0n },
  { type: 'A', name: '__per_cpu_end', address: 0x35000n },
  { type: 'T', name: '_stext', address: IMAGE + 0x1000n },
  { type: 't', name: 'foo', address: IMAGE + 0x1010n },
  { type: 'T', name: 'foo_alias', address: IMAGE + 0x1010n },
  { type: 't', name: LONG, address: IMAGE + 0x1040n },
  { type: 'T', name: '_etext', address: IMAGE + 0x2000n },
  { type: 'd', name: 'bar', address: IMAGE + 0x3000n },
  { type: 'B', name: '_end', address: IMAGE + 0x5000n },
];

function fakeKernel(encoding: 'relative' | 'absolute-percpu' | 'absolute' | 'place-relative', opts: { release?: string; stext?: bigint } = {}): FakeKernel {
  const k = new FakeKernel();
  const symbols = encoding === 'absolute-percpu' ? SYMBOLS : SYMBOLS.filter((s) => s.address >= IMAGE);
  const lines = [`OSRELEASE=${opts.release ?? '6.1.0'}`, `SYMBOL(_stext)=${(opts.stext ?? IMAGE + 0x1000n).toString(16)}`];
  const sym = (name: string, at: bigint) => lines.push(`SYMBOL(${name})=${at.toString(16)}`);
  const base = IMAGE;
  if (encoding === 'absolute') {
    const a = new DataView(new ArrayBuffer(symbols.length * 8));
    symbols.forEach((s, i) => a.setBigUint64(i * 8, s.address, true));
    sym('kallsyms_addresses', k.place(new Uint8Array(a.buffer)));
  } else if (encoding === 'place-relative') {
    // 7.0+: each entry is its symbol's distance from the entry itself; VMCOREINFO lists no kallsyms_relative_base.
    const o = new DataView(new ArrayBuffer(symbols.length * 4));
    const at = k.place(new Uint8Array(o.buffer));
    symbols.forEach((s, i) => new DataView(k.bytes.buffer).setInt32(Number(at - IMAGE) + i * 4, Number(s.address - (at + BigInt(i * 4))), true));
    sym('kallsyms_offsets', at);
  } else {
    const o = new DataView(new ArrayBuffer(symbols.length * 4));
    symbols.forEach((s, i) => {
      if (encoding === 'relative') o.setUint32(i * 4, Number(s.address - base), true);
      else o.setInt32(i * 4, s.address < IMAGE ? Number(s.address) : -1 - Number(s.address - base), true);
    });
    sym('kallsyms_offsets', k.place(new Uint8Array(o.buffer)));
    const b = new DataView(new ArrayBuffer(8));
    b.setBigUint64(0, base, true);
    sym('kallsyms_relative_base', k.place(new Uint8Array(b.buffer)));
  }
  const n = new DataView(new ArrayBuffer(4));
  n.setUint32(0, symbols.length, true);
  sym('kallsyms_num_syms', k.place(new Uint8Array(n.buffer)));
  sym('kallsyms_names', k.place(encodeNames(symbols), 1));
  const t = tokenTables();
  sym('kallsyms_token_table', k.place(t.table));
  sym('kallsyms_token_index', k.place(t.index));
  k.info = new VmcoreInfo(lines.join('\n'));
  return k;
}

describe('reading kallsyms from kernel memory', () => {
  it.each(['relative', 'absolute-percpu', 'absolute', 'place-relative'] as const)('%s offsets: every name, type and address', async (encoding) => {
    const r = await readKallsyms(fakeKernel(encoding));
    if (!r.ok) throw new Error(r.warning.message);
    expect(r.kallsyms.encoding).toBe(encoding);
    const expected = encoding === 'absolute-percpu' ? SYMBOLS : SYMBOLS.filter((s) => s.address >= IMAGE);
    expect(r.kallsyms.table.symbols).toEqual(expected);
  });

  it('place-relative tables (7.0+) that put _stext elsewhere are refused with the address they give', async () => {
    await expect(readKallsyms(fakeKernel('place-relative', { stext: IMAGE + 0x1234n }))).rejects.toThrow(/_stext would be at 0xffffffff81001000 \(place-relative\).*VMCOREINFO says 0xffffffff81001234/);
  });

  it('tables that put _stext somewhere else than VMCOREINFO does are refused with both addresses', async () => {
    await expect(readKallsyms(fakeKernel('relative', { stext: IMAGE + 0x1234n }))).rejects.toThrow(/_stext would be at 0xffffffff81001000 \(relative\).*VMCOREINFO says 0xffffffff81001234/);
  });

  it('a missing key is a warning naming it; a pre-6.0 kernel is named as the reason', async () => {
    const k = fakeKernel('relative');
    k.info = new VmcoreInfo(k.info.raw.replace(/^SYMBOL\(kallsyms_token_index\)=.*$/m, ''));
    const r = await readKallsyms(k);
    expect(r).toMatchObject({ ok: false, warning: { code: 'W_NO_KALLSYMS', message: expect.stringMatching(/lacks SYMBOL\(kallsyms_token_index\)/) } });
    k.info = new VmcoreInfo(k.info.raw.replace('OSRELEASE=6.1.0', 'OSRELEASE=5.14.0-427.el9'));
    expect(await readKallsyms(k)).toMatchObject({ ok: false, warning: { message: expect.stringMatching(/kernel 5\.14\.0-427\.el9 predates 6\.0/) } });
  });
});

describe('SymbolTable and --symbol queries', () => {
  const table = new SymbolTable(SYMBOLS as KernelSymbol[]);
  const ask = (q: string) => lookupSymbol(table, parseSymbolQuery(q, (n) => table.lookupName(n).length > 0));

  it('an address names the first of aliased symbols, with the size up to the next address', () => {
    const r = table.resolve(IMAGE + 0x1016n)!;
    expect(formatResolved(r)).toBe('foo+0x6/0x30');
    expect(r.type).toBe('t');
  });

  it('addresses outside _text.._end, like per-cpu offsets, have no name', () => {
    expect(table.resolve(0x10n)).toBeUndefined();
    expect(table.resolve(IMAGE + 0x5000n)).toBeUndefined();
    expect(ask('0x10')).toMatchObject({ results: [], error: expect.stringMatching(/outside the kernel image/) });
  });

  it('text is _stext.._etext only', () => {
    expect(table.isText(IMAGE + 0x1010n)).toBe(true);
    expect(table.isText(IMAGE + 0x3000n)).toBe(false);
  });

  it('a name gives its address; name+off and address+off read as trace frames', () => {
    expect(ask('foo_alias').results.map(formatResolved)).toEqual(['foo_alias+0x0/0x30']);
    expect(ask('foo+0x16').results.map(formatResolved)).toEqual(['foo+0x16/0x30']);
    expect(ask('ffffffff81001010+0x30').results.map(formatResolved)).toEqual(['foo+0x30/0x30']);
    expect(ask('ffffffff81001040').results.map(formatResolved)).toEqual([`${LONG}+0x0/0xfc0`]);
    expect(ask('foo+22/0x30').results.map(formatResolved)).toEqual(['foo+0x16/0x30']);
  });

  it('bad queries are usage errors; unknown names say so', () => {
    expect(() => ask('foo+bar')).toThrow(/offset "bar" is not a number/);
    expect(() => ask('two words')).toThrow(/neither a symbol name nor an address/);
    expect(ask('nope').error).toBe('no kernel symbol is named nope');
  });

  it('a hex-looking word that is a symbol name is taken as the name', () => {
    const t = new SymbolTable([...SYMBOLS, { type: 't', name: 'fade', address: IMAGE + 0x1800n }] as KernelSymbol[]);
    const q = parseSymbolQuery('fade', (n) => t.lookupName(n).length > 0);
    expect(q.kind).toBe('name');
    expect(parseSymbolQuery('0xfade', (n) => t.lookupName(n).length > 0).kind).toBe('address');
  });
});
