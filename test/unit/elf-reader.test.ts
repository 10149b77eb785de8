import { describe, expect, it } from 'vitest';
import { openDump } from '../../src/formats/open-dump.js';
import { describeDump } from '../../src/info/dump-info.js';
import { MemorySource } from '../../src/io/source.js';
import { buildElfCore, prstatusNote, vmcoreinfoNote } from '../helpers/elf-builder.js';

const page = (fill: number) => new Uint8Array(4096).fill(fill);
const minimalInfo = 'OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1700000000\nKERNELOFFSET=1000000\nNUMBER(phys_base)=-16777216\n';

async function open(bytes: Uint8Array) {
  return openDump(new MemorySource(bytes, 'test.vmcore'));
}

async function codeOf(bytes: Uint8Array): Promise<string> {
  try {
    await open(bytes);
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'opened';
}

describe('ELF vmcore reader', () => {
  it('reads notes, PT_LOADs and VMCOREINFO of a well-formed core', async () => {
    const dump = await open(
      buildElfCore({
        notes: [prstatusNote(0xffffffff81234567n), vmcoreinfoNote(minimalInfo)],
        loads: [
          { paddr: 0x1000, data: page(1) },
          { paddr: 0x100000, data: page(2), memsz: 3 * 4096 },
        ],
      }),
    );
    expect(dump.loads.map((l) => [l.physStart, l.physEnd, l.fileSize])).toEqual([
      [0x1000, 0x2000, 4096],
      [0x100000, 0x103000, 4096],
    ]);
    expect(dump.vmcoreinfo?.osRelease).toBe('6.1.0-test');
    expect(dump.vmcoreinfo?.number('phys_base')).toBe(-16777216n);
    expect(dump.maxPfnFromLoads).toBe(0x103);
    const tail = await dump.readPhys(0x100000 + 4090, 12);
    expect(Array.from(tail)).toEqual([2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0]);
    await expect(dump.readPhys(0x5000, 1)).rejects.toMatchObject({ code: 'E_NOT_IN_DUMP' });
  });

  it('describes the dump: crash time, KASLR offset, CPU registers, holes', async () => {
    const dump = await open(buildElfCore({ notes: [prstatusNote(0xffffffff81234567n), vmcoreinfoNote(minimalInfo)], loads: [{ paddr: 0x2000, data: page(1) }] }));
    const d = await describeDump(dump);
    expect(d.release).toBe('6.1.0-test');
    expect(d.crashTime).toBe('2023-11-14T22:13:20.000Z');
    expect(d.kaslrOffset).toBe(0x1000000);
    expect(d.cpus).toBe(1);
    expect(d.cpuRegisters[0].registers.rip).toBe('0xffffffff81234567');
    expect(d.holes).toEqual([{ physStart: 0, physEnd: 0x2000 }]);
  });

  it('reads the program header count from section 0 under extended numbering', async () => {
    const dump = await open(buildElfCore({ extendedNumbering: true, notes: [vmcoreinfoNote(minimalInfo)], loads: [{ paddr: 0, data: page(3) }] }));
    expect(dump.loads).toHaveLength(1);
  });

  it('warns, without failing, when there is no VMCOREINFO', async () => {
    const d = await describeDump(await open(buildElfCore({ notes: [prstatusNote()], loads: [{ paddr: 0, data: page(0) }] })));
    expect(d.warnings.map((w) => w.code)).toEqual(['E_NO_VMCOREINFO']);
    expect(d.warnings[0].message).toMatch(/only zero pages/);
  });

  const good = () => buildElfCore({ notes: [vmcoreinfoNote(minimalInfo)], loads: [{ paddr: 0, data: page(1) }] });
  it.each([
    ['an empty file', () => new Uint8Array(0), 'E_EMPTY'],
    ['random bytes', () => Uint8Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) & 0xff), 'E_UNKNOWN_FORMAT'],
    ['a truncated ELF header', () => good().slice(0, 40), 'E_TRUNCATED'],
    ['a 3-byte file', () => new Uint8Array([0x7f, 0x45, 0x4c]), 'E_TRUNCATED'],
    ['an ELF executable', () => buildElfCore({ type: 2, loads: [{ paddr: 0, data: page(1) }] }), 'E_NOT_CORE'],
    ['a 32-bit core', () => buildElfCore({ eiClass: 1, loads: [{ paddr: 0, data: page(1) }] }), 'E_ELF_CLASS'],
    ['a big-endian core', () => buildElfCore({ eiData: 2, loads: [{ paddr: 0, data: page(1) }] }), 'E_ELF_ENDIAN'],
    ['a LoongArch core', () => buildElfCore({ machine: 258, loads: [{ paddr: 0, data: page(1) }] }), 'E_ELF_MACHINE'],
    ['a core with no PT_LOAD', () => buildElfCore({ notes: [vmcoreinfoNote(minimalInfo)] }), 'E_NO_LOAD'],
    ['a truncated kdump-compressed file', () => new TextEncoder().encode('KDUMP   \x06\0\0\0'), 'E_TRUNCATED'],
    ['a flattened file cut inside its header', () => new TextEncoder().encode('makedumpfile\0\0\0\0'), 'E_TRUNCATED'],
  ])('rejects %s with a specific error', async (_what, make, code) => {
    expect(await codeOf(make())).toBe(code);
  });

  it('reads a core cut inside its last PT_LOAD as far as it goes, naming the missing pages', async () => {
    const bytes = good();
    const dump = await openDump(new MemorySource(bytes.slice(0, bytes.length - 100)));
    expect(dump.missing?.length).toBe(1);
    expect(dump.warnings?.[0]?.code).toBe('W_INCOMPLETE');
  });

  it('rejects a PT_NOTE past the end of the file', async () => {
    const bytes = good();
    new DataView(bytes.buffer).setBigUint64(64 + 8, BigInt(bytes.length), true);
    expect(await codeOf(bytes)).toBe('E_SEGMENT_PAST_EOF');
  });

  it('rejects absurd program header counts before reading them', async () => {
    const bytes = good();
    new DataView(bytes.buffer).setUint16(56, 60000, true);
    expect(await codeOf(bytes)).toBe('E_TRUNCATED');
  });

  it('rejects a PT_LOAD whose physical range is absurd', async () => {
    const bytes = good();
    new DataView(bytes.buffer).setBigUint64(64 + 56 + 40, 1n << 60n, true);
    expect(await codeOf(bytes)).toBe('E_ABSURD_SIZE');
  });
});
