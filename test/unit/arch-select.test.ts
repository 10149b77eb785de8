// The architecture is chosen once per dump, from ELF e_machine or the kdump header's utsname.machine, and the
// writers record it: kdump headers carry its machine and phys_base, ELF output its e_machine.
import { describe, expect, it } from 'vitest';
import { UTS_FIELD, decodeDiskDumpHeader, decodeSubHeader, utsField } from '../../src/formats/kdump/diskdump.js';
import { readKdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { writeKdump } from '../../src/formats/kdump/write-kdump.js';
import { writeElf } from '../../src/formats/elf-out/write-elf.js';
import { openDump } from '../../src/formats/open-dump.js';
import { bitmapBytes, setBit, type PageSelection } from '../../src/formats/selection.js';
import { MemorySink } from '../../src/io/sink.js';
import { MemorySource } from '../../src/io/source.js';
import { buildElfCore, vmcoreinfoNote } from '../helpers/elf-builder.js';

const PS = 4096;
const PAGES = 8;
const ARM64_INFO = 'OSRELEASE=6.1.0-test-arm64\nPAGESIZE=4096\nNUMBER(PHYS_OFFSET)=0xfffff6e240000000\nNUMBER(VA_BITS)=48\n';
const core = (machine: number, info: string) =>
  buildElfCore({ machine, notes: [vmcoreinfoNote(info)], loads: [{ paddr: 0, vaddr: 0xffff000000000000n, data: new Uint8Array(PAGES * PS).fill(7) }] });

function all(): PageSelection {
  const bitmap1 = new Uint8Array(bitmapBytes(PAGES));
  for (let p = 0; p < PAGES; p++) setBit(bitmap1, p);
  return { maxPfn: PAGES, bitmap1, bitmap2: bitmap1.slice(), excludeZero: false };
}

async function kdumpOf(bytes: Uint8Array): Promise<Uint8Array> {
  const sink = new MemorySink('out.kdump');
  await writeKdump(await openDump(new MemorySource(bytes, 'in.vmcore')), all(), sink, { dumpLevel: 0 });
  await sink.close();
  return sink.bytes().slice();
}

/** e_machine of the ELF file written from a dump. */
async function elfMachineWritten(dump: Parameters<typeof writeElf>[0]): Promise<number> {
  const sink = new MemorySink('out.elf');
  await writeElf(dump, all(), sink);
  await sink.close();
  return new DataView(sink.bytes().buffer).getUint16(18, true);
}

describe('architecture selection', () => {
  it('ELF e_machine 183 is arm64, 62 x86_64', async () => {
    expect((await openDump(new MemorySource(core(183, ARM64_INFO), 'a.vmcore'))).arch.name).toBe('arm64');
    expect((await openDump(new MemorySource(core(62, 'OSRELEASE=6.1.0\nPAGESIZE=4096\n'), 'x.vmcore'))).arch.name).toBe('x86_64');
  });

  it('an arm64 kdump header: machine "aarch64" (utsname unreadable here), PHYS_OFFSET as phys_base; read back as arm64', async () => {
    const bytes = await kdumpOf(core(183, ARM64_INFO));
    const h = decodeDiskDumpHeader(bytes.subarray(0, 464), 'little');
    expect(utsField(h.utsname, 4)).toBe('aarch64');
    expect(decodeSubHeader(bytes.subarray(PS, PS + 104), 'little').physBase).toBe(0xfffff6e240000000n);
    const back = await readKdumpDump(new MemorySource(bytes, 'out.kdump'));
    expect(back.arch.name).toBe('arm64');
    // Written again as ELF: e_machine stays EM_AARCH64.
    expect(await elfMachineWritten(back)).toBe(183);
  });

  it('ELF e_machine 21 is ppc64le: its kdump header says "ppc64le" with phys_base 0, read back as ppc64le, ELF again 21', async () => {
    const info = 'OSRELEASE=6.1.0-test-powerpc64le\nPAGESIZE=4096\nSYMBOL(_stext)=c000000000000000\nSYMBOL(swapper_pg_dir)=c000000002740000\n';
    const ppc = core(21, info);
    expect((await openDump(new MemorySource(ppc, 'p.vmcore'))).arch.name).toBe('ppc64le');
    const bytes = await kdumpOf(ppc);
    expect(utsField(decodeDiskDumpHeader(bytes.subarray(0, 464), 'little').utsname, 4)).toBe('ppc64le');
    expect(decodeSubHeader(bytes.subarray(PS, PS + 104), 'little').physBase).toBe(0n);
    const back = await readKdumpDump(new MemorySource(bytes, 'out.kdump'));
    expect(back.arch.name).toBe('ppc64le');
    expect(await elfMachineWritten(back)).toBe(21);
  });

  it('a big-endian ppc64 dump is refused, not misread: its ELF names the byte order, its kdump header the machine "ppc64"', async () => {
    const be = new Uint8Array(PS);
    const v = new DataView(be.buffer);
    be.set([0x7f, 0x45, 0x4c, 0x46, 2, 2, 1]);
    v.setUint16(16, 4); // ET_CORE
    v.setUint16(18, 21); // EM_PPC64
    await expect(openDump(new MemorySource(be, 'be.vmcore'))).rejects.toMatchObject({
      code: 'E_ELF_ENDIAN',
      message: 'be.vmcore is a big-endian PowerPC 64-bit (ELF machine 21) dump; vmsieve reads ppc64le dumps, which are little-endian',
    });
    const bytes = await kdumpOf(core(21, 'OSRELEASE=6.1.0-test-powerpc64le\nPAGESIZE=4096\nSYMBOL(_stext)=c000000000000000\n'));
    const ppc64 = bytes.slice();
    ppc64.set(new TextEncoder().encode('ppc64\0\0'), 12 + 4 * UTS_FIELD);
    ppc64.fill(0xff, 12 + 6 * UTS_FIELD, 464); // its big-endian block_size and other fields, unreadable as little-endian
    await expect(readKdumpDump(new MemorySource(ppc64, 'be.kdump'))).rejects.toMatchObject({ code: 'E_ELF_MACHINE', message: expect.stringContaining('"ppc64"') });
  });

  it('a kdump file of another machine is refused with a specific error; an empty machine is taken as x86_64', async () => {
    const bytes = await kdumpOf(core(183, ARM64_INFO));
    const machine = 12 + 4 * UTS_FIELD;
    const loong = bytes.slice();
    loong.set(new TextEncoder().encode('loongarch64\0'), machine);
    await expect(readKdumpDump(new MemorySource(loong, 'loong.kdump'))).rejects.toMatchObject({ code: 'E_ELF_MACHINE', message: expect.stringContaining('"loongarch64"') });
    const empty = bytes.slice();
    empty.fill(0, machine, machine + UTS_FIELD);
    expect((await readKdumpDump(new MemorySource(empty, 'empty.kdump'))).arch.name).toBe('x86_64');
  });
});
