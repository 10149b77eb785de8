import { beforeAll, describe, expect, it } from 'vitest';
import { flatHeader } from '../../src/formats/flat/flattened.js';
import { openDump } from '../../src/formats/open-dump.js';
import { describeDump } from '../../src/info/dump-info.js';
import { MemorySource } from '../../src/io/source.js';
import { readDmesg } from '../../src/kernel/dmesg/index.js';
import { instantiateKernels } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { makeFuzzBases, type FuzzBases } from '../helpers/fuzz-bases.js';

/**
 * QEMU's dump-guest-memory -f kdump-zlib: a flattened kdump file whose sub-header phys_base is wrong when the guest
 * used KASLR (QEMU takes it from elsewhere). VMCOREINFO's NUMBER(phys_base) is the truth; the file still reads.
 */

let bases: FuzzBases;
beforeAll(async () => {
  bases = await makeFuzzBases(await instantiateKernels(await nodeWasmModule()));
});

/** The kdump file in flattened records of QEMU's size (its writes are one page or one header each). */
function flattenLikeQemu(file: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [flatHeader()];
  for (let at = 0; at < file.length; at += 4096) {
    const data = file.subarray(at, Math.min(file.length, at + 4096));
    const h = new Uint8Array(16);
    new DataView(h.buffer).setBigInt64(0, BigInt(at), false);
    new DataView(h.buffer).setBigInt64(8, BigInt(data.length), false);
    parts.push(h, data);
  }
  const end = new Uint8Array(16).fill(0xff);
  parts.push(end);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

describe("QEMU's kdump-zlib with a wrong sub-header phys_base", () => {
  it('--info takes phys_base from VMCOREINFO and warns; the log reads as from the ELF dump', async () => {
    const kdump = bases.kdumpZlib.slice();
    const bs = new DataView(kdump.buffer).getInt32(428, true);
    new DataView(kdump.buffer).setBigUint64(bs, 0x62900000n, true);
    const flat = await openDump(new MemorySource(flattenLikeQemu(kdump), 'guest.kdump-zlib'));
    const elf = await openDump(new MemorySource(bases.elf, 'guest.elf'));

    const [fromFlat, fromElf] = [await describeDump(flat), await describeDump(elf)];
    expect(fromFlat.format).toBe('kdump');
    expect(fromFlat.physBase).toBe(fromElf.physBase);
    expect(fromFlat.physBase).not.toBe(0x62900000);
    expect(fromFlat.release).toBe(fromElf.release);
    expect(fromFlat.kaslrOffset).toBe(fromElf.kaslrOffset);
    const w = fromFlat.warnings.find((x) => x.code === 'W_SUBHEADER_PHYS_BASE');
    expect(w?.message).toMatch(/phys_base 0x62900000 differs from VMCOREINFO's NUMBER\(phys_base\)/);
    expect(fromElf.warnings.some((x) => x.code === 'W_SUBHEADER_PHYS_BASE')).toBe(false);

    expect((await readDmesg(flat)).log).toBe((await readDmesg(elf)).log);
  });
});
