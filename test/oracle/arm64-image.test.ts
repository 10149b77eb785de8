// The arm64 dump's kallsyms and kernel page tables, read before vmsieve opens arm64 dumps itself: the kernel image
// maps linearly (phys = vaddr - kimage_voffset), so a PT_LOAD lookup is all it takes to reach the tables.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelReader } from '../../src/kernel/dmesg/types.js';
import { Arm64Translator } from '../../src/kernel/arm64/translate.js';
import { formatResolved, lookupSymbol, parseSymbolQuery, readKallsyms, type SymbolTable } from '../../src/kernel/kallsyms/index.js';
import { VmcoreInfo } from '../../src/model/vmcoreinfo.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const fixture = realFixtures().find((f) => f.name.includes('arm64'));
const skip = realFixturesSkipReason() ?? (fixture ? undefined : 'no arm64 fixture');

interface Load {
  offset: number;
  paddr: number;
  filesz: number;
}

/** Physical reads through the ELF's PT_LOADs (64-bit little-endian program headers). */
function physReader(path: string) {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(64);
  readSync(fd, head, 0, 64, 0);
  const phoff = Number(head.readBigUInt64LE(32));
  const phentsize = head.readUInt16LE(54);
  const phnum = head.readUInt16LE(56);
  const ph = Buffer.alloc(phentsize * phnum);
  readSync(fd, ph, 0, ph.length, phoff);
  const loads: Load[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = ph.subarray(i * phentsize);
    if (p.readUInt32LE(0) === 1) loads.push({ offset: Number(p.readBigUInt64LE(8)), paddr: Number(p.readBigUInt64LE(24)), filesz: Number(p.readBigUInt64LE(32)) });
  }
  return {
    pageSize: 4096,
    async readPhys(paddr: number, length: number): Promise<Uint8Array> {
      const l = loads.find((x) => paddr >= x.paddr && paddr + length <= x.paddr + x.filesz);
      if (!l) throw new Error(`0x${paddr.toString(16)} is not in a PT_LOAD`);
      const out = new Uint8Array(length);
      readSync(fd, out, 0, length, l.offset + (paddr - l.paddr));
      return out;
    },
    close: () => closeSync(fd),
  };
}

describe.skipIf(skip)(`the arm64 dump's kallsyms and page tables${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let phys: ReturnType<typeof physReader>;
  let info: VmcoreInfo;
  let table: SymbolTable;
  beforeAll(async () => {
    phys = physReader(fixture!.vmcore);
    info = new VmcoreInfo(fixture!.oracle.vmcoreinfo_text);
    const voffset = info.number('kimage_voffset')!;
    const image: KernelReader = { info, byteOrder: 'little', readVirt: (va, n) => phys.readPhys(Number(va - voffset), n) };
    const r = await readKallsyms(image);
    if (!r.ok) throw new Error(r.warning.message);
    expect(r.kallsyms.encoding).toBe('relative');
    table = r.kallsyms.table;
  });
  afterAll(() => phys?.close());

  it('every frame of the log’s Call trace resolves by name, and its address + offset prints the frame back', () => {
    const log = readFileSync(fixture!.dmesgFile, 'latin1');
    const block = log.slice(log.indexOf('Call trace:'));
    const frames = [...block.matchAll(/^\[[\s\d.]+\]\s+([\w.$]+)\+(0x[0-9a-f]+)\/(0x[0-9a-f]+)$/gm)].map((m) => m.slice(1, 4));
    expect(frames.length).toBeGreaterThan(10);
    const isName = (n: string) => table.lookupName(n).length > 0;
    for (const [name, off, size] of frames) {
      const [sym] = table.lookupName(name);
      expect(sym, name).toBeDefined();
      const back = lookupSymbol(table, parseSymbolQuery(`0x${sym.address.toString(16)}+${off}`, isName));
      expect(back.results.map(formatResolved)).toEqual([`${name}+${off}/${size}`]);
    }
  });

  it('lists swapper_pg_dir and every table on the way from it to _stext, which lands at _stext - kimage_voffset', async () => {
    const tables = new Set(await Arm64Translator.open({ info, loads: [], pageSize: phys.pageSize, readPhys: phys.readPhys }).kernelTablePages());
    const root = info.symbol('swapper_pg_dir')! - info.number('kimage_voffset')!;
    expect(tables.has(root)).toBe(true);
    expect(tables.size).toBeGreaterThan(10);
    const va = info.symbol('_stext')!;
    let t = root;
    let pa: bigint | undefined;
    for (const shift of [39n, 30n, 21n, 12n]) {
      expect(tables.has(t), `table 0x${t.toString(16)}`).toBe(true);
      const b = await phys.readPhys(Number(t + ((va >> shift) & 511n) * 8n), 8);
      const e = new DataView(b.buffer).getBigUint64(0, true);
      expect(e & 1n).toBe(1n);
      const out = e & 0x0000fffffffff000n;
      if (shift === 12n || (e & 2n) === 0n) {
        pa = out + (va & ((1n << shift) - 1n));
        break;
      }
      t = out;
    }
    expect(pa).toBe(va - info.number('kimage_voffset')!);
  });
});
