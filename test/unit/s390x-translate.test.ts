// The s390x DAT walk on hand-built, big-endian tables: a region-third root with segment tables, 1 MiB and 2 GiB large
// pages and page tables; the direct map below high_memory; and the 6.10+ layout that os_info in the lowcore describes.
import { describe, expect, it } from 'vitest';
import { S390xTranslator } from '../../src/kernel/s390x/translate.js';
import { VmcoreInfo } from '../../src/model/vmcoreinfo.js';

const PAGE = 4096;
const REGION3 = 0x4n; // table type of a region-third entry (and of the root table's entries)
const TL_FULL = 0x3n; // next table 4 × 4 KiB
const LARGE = 0x400n;
const INVALID = 0x20n;

/** Sparse big-endian physical memory. */
class Phys {
  private readonly pages = new Map<number, Uint8Array>();
  private page(pa: number): Uint8Array {
    const base = pa - (pa % PAGE);
    let p = this.pages.get(base);
    if (!p) this.pages.set(base, (p = new Uint8Array(PAGE)));
    return p;
  }
  u64(pa: bigint, v: bigint) {
    new DataView(this.page(Number(pa)).buffer).setBigUint64(Number(pa) % PAGE, v);
  }
  /** An empty table of `pages` pages whose entries are invalid and of `type`, as the kernel clears them. */
  table(at: bigint, pages: number, type: bigint) {
    for (let i = 0; i < (pages * PAGE) / 8; i++) this.u64(at + BigInt(i * 8), INVALID | type);
  }
  reads = 0;
  read = async (paddr: number, length: number): Promise<Uint8Array> => {
    this.reads++;
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const pa = paddr + done;
      const n = Math.min(length - done, PAGE - (pa % PAGE));
      out.set(this.page(pa).subarray(pa % PAGE, (pa % PAGE) + n), done);
      done += n;
    }
    return out;
  };
}

const index = (va: bigint, level: number) => (va >> BigInt(20 + 11 * level)) & 0x7ffn;
const ROOT = 0x10000n;
const SEGMENT_TABLE = 0x20000n;
const PAGE_TABLE = 0x30800n; // 2 KiB aligned: the second page table of its page
const VMEMMAP = 0x3d000000000n;

/** A region-third root mapping VMEMMAP: a 1 MiB large page, a 4 KiB page through a page table, a 2 GiB page above. */
function tables(p: Phys, rootAt = ROOT) {
  p.table(rootAt, 4, REGION3);
  p.table(SEGMENT_TABLE, 4, 0n);
  p.u64(rootAt + index(VMEMMAP, 1) * 8n, SEGMENT_TABLE | REGION3 | TL_FULL);
  p.u64(SEGMENT_TABLE + index(VMEMMAP, 0) * 8n, 0x300000n | LARGE);
  const small = VMEMMAP + 0x100000n;
  p.u64(SEGMENT_TABLE + index(small, 0) * 8n, PAGE_TABLE);
  for (let i = 0n; i < 256n; i++) p.u64(PAGE_TABLE + i * 8n, 0x400n);
  p.u64(PAGE_TABLE + 3n * 8n, 0x45000n);
  p.u64(rootAt + index(VMEMMAP + 0x80000000n, 1) * 8n, 0x80000000n | LARGE | REGION3);
}

function translator(p: Phys, info: string) {
  return S390xTranslator.open({ info: new VmcoreInfo(info), loads: [{ physStart: 0, physEnd: 1 << 30, fileOffset: 0, fileSize: 1 << 30, virtStart: 0n, flags: 0 }], pageSize: PAGE, readPhys: p.read });
}

describe('s390x kernel address translation', () => {
  it('walks region-third, segment and page tables; maps 1 MiB and 2 GiB large pages; below high_memory is physical', async () => {
    const p = new Phys();
    tables(p);
    p.u64(0x5000n, 0x40000000n); // high_memory
    const t = translator(p, `SYMBOL(swapper_pg_dir)=${ROOT.toString(16)}\nSYMBOL(high_memory)=5000\n`);
    expect(await t.toPhysRun(VMEMMAP + 0x1234n)).toEqual({ phys: 0x301234, bytes: 0x100000 - 0x1234 });
    expect(await t.toPhys(VMEMMAP + 0x100000n + 3n * 4096n + 0x10n)).toBe(0x45010);
    expect(await t.toPhysRun(VMEMMAP + 0x80000000n + 0x10n)).toEqual({ phys: 0x80000010, bytes: 0x80000000 - 0x10 });
    expect(t.levels).toBe(3);
    const before = p.reads;
    expect(await t.toPhysRun(0x3fded800n)).toEqual({ phys: 0x3fded800, bytes: 0x40000000 - 0x3fded800 });
    expect(p.reads).toBe(before);
    await expect(t.toPhys(VMEMMAP + 0x100000n + 4n * 4096n)).rejects.toMatchObject({ code: 'E_TRANSLATE' });
    await expect(t.toPhys(VMEMMAP + 0x400000n)).rejects.toMatchObject({ code: 'E_TRANSLATE' });
    await expect(t.toPhys(1n << 42n)).rejects.toMatchObject({ code: 'E_TRANSLATE', message: /beyond the 3-level/ });
    const pages = await t.kernelTablePages();
    for (const at of [ROOT, ROOT + 0x3000n, SEGMENT_TABLE, 0x30000n]) expect(pages).toContain(at);
    expect(pages).toHaveLength(4 + 4 + 1);
  });

  it('refuses a table entry with reserved bits set: the tables are corrupt', async () => {
    const p = new Phys();
    tables(p);
    p.u64(0x5000n, 0x40000000n);
    p.u64(SEGMENT_TABLE + index(VMEMMAP, 0) * 8n, 0x300000n | LARGE | 0x80n);
    const t = translator(p, `SYMBOL(swapper_pg_dir)=${ROOT.toString(16)}\nSYMBOL(high_memory)=5000\n`);
    await expect(t.toPhys(VMEMMAP)).rejects.toMatchObject({ code: 'E_TRANSLATE', message: /reserved bits/ });
  });

  it("6.10+: os_info's identity base, kernel image, amode31 area and vmemmap start place every address", async () => {
    const p = new Phys();
    const identity = 0x10000000000n;
    const kernelBase = 0x3ffe0000000n;
    const kernelPhys = 0x1000000n;
    const osInfo = 0x50000n;
    p.u64(0xe18n, osInfo);
    const entry = (i: number, v: bigint) => p.u64(osInfo + 32n + BigInt(i * 20), v);
    [identity, kernelBase, kernelPhys, VMEMMAP, 0x1673000n, 0x1676000n].forEach((v, i) => entry(4 + i, v));
    tables(p, kernelPhys + 0x290000n);
    const t = translator(p, `SYMBOL(swapper_pg_dir)=${(kernelBase + 0x290000n).toString(16)}\n`);
    expect(await t.toPhys(identity + 0x1234n)).toBe(0x1234);
    expect(await t.toPhys(kernelBase + 0x100n)).toBe(0x1000100);
    expect(await t.toPhys(0x1674000n)).toBe(0x1674000);
    expect(await t.toPhys(0x100n)).toBe(0x100);
    expect(await t.toPhys(VMEMMAP + 0x10n)).toBe(0x300010);
  });

  it('needs SYMBOL(swapper_pg_dir)', () => {
    expect(() => translator(new Phys(), 'SYMBOL(high_memory)=5000\n')).toThrow(expect.objectContaining({ code: 'E_BAD_VMCOREINFO' }));
  });
});
