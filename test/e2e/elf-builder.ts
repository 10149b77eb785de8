/**
 * Tiny ELF64 files for the page's bad-input tests (and a stand-in sample dump): just enough structure for the
 * library to reach the check under test. Little-endian x86_64 unless told otherwise.
 */
const PT_LOAD = 1;
const PT_NOTE = 4;
const ET_EXEC = 2;
const ET_CORE = 4;
const EM_X86_64 = 62;
const NT_PRSTATUS = 1;
const PRSTATUS_SIZE = 336;
const PRSTATUS_RIP_OFFSET = 112 + 16 * 8;

export interface ElfOptions {
  /** 1 = ELFCLASS32, 2 = ELFCLASS64. */
  elfClass?: 1 | 2;
  /** 1 = little-endian, 2 = big-endian. */
  data?: 1 | 2;
  type?: number;
  /** VMCOREINFO text (KEY=value lines); omitted = no VMCOREINFO note. */
  vmcoreinfo?: string;
  /** Number of NT_PRSTATUS notes (one per CPU). */
  cpus?: number;
  /** Physical memory of the single PT_LOAD, in bytes (4 KiB pages). */
  loadBytes?: number;
  /** Bytes to cut from the end of the file (to make a PT_LOAD run past EOF). */
  chop?: number;
}

const align4 = (n: number) => (n + 3) & ~3;

function note(name: string, type: number, desc: Buffer): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'latin1');
  const out = Buffer.alloc(12 + align4(nameBytes.length) + align4(desc.length));
  out.writeUInt32LE(nameBytes.length, 0);
  out.writeUInt32LE(desc.length, 4);
  out.writeUInt32LE(type, 8);
  nameBytes.copy(out, 12);
  desc.copy(out, 12 + align4(nameBytes.length));
  return out;
}

function prstatus(cpu: number): Buffer {
  const d = Buffer.alloc(PRSTATUS_SIZE);
  d.writeInt32LE(100 + cpu, 32); // pr_pid
  d.writeBigUInt64LE(0xffffffff81000000n + BigInt(cpu) * 0x10n, PRSTATUS_RIP_OFFSET);
  return d;
}

/** An ELF64 core (or, with `type`, another ELF type) with a PT_NOTE and one PT_LOAD at physical 1 MiB. */
export function elfCore(o: ElfOptions = {}): Buffer {
  const loadBytes = o.loadBytes ?? 2 * 4096;
  const notes = Buffer.concat([
    ...Array.from({ length: o.cpus ?? 1 }, (_, i) => note('CORE', NT_PRSTATUS, prstatus(i))),
    ...(o.vmcoreinfo !== undefined ? [note('VMCOREINFO', 0, Buffer.from(o.vmcoreinfo, 'latin1'))] : []),
  ]);
  const phnum = 2;
  const noteOffset = 64 + phnum * 56;
  const loadOffset = Math.ceil((noteOffset + notes.length) / 4096) * 4096;
  const file = Buffer.alloc(loadOffset + loadBytes);
  file.write('\x7fELF', 0, 'latin1');
  file[4] = o.elfClass ?? 2;
  file[5] = o.data ?? 1;
  file[6] = 1; // EV_CURRENT
  file.writeUInt16LE(o.type ?? ET_CORE, 16);
  file.writeUInt16LE(EM_X86_64, 18);
  file.writeUInt32LE(1, 20);
  file.writeBigUInt64LE(64n, 32); // e_phoff
  file.writeUInt16LE(64, 52); // e_ehsize
  file.writeUInt16LE(56, 54); // e_phentsize
  file.writeUInt16LE(phnum, 56);
  const ph = (i: number, type: number, offset: number, paddr: number, size: number) => {
    const p = 64 + i * 56;
    file.writeUInt32LE(type, p);
    file.writeUInt32LE(type === PT_LOAD ? 7 : 0, p + 4);
    file.writeBigUInt64LE(BigInt(offset), p + 8);
    file.writeBigUInt64LE(type === PT_LOAD ? 0xffff888000000000n + BigInt(paddr) : 0n, p + 16);
    file.writeBigUInt64LE(BigInt(paddr), p + 24);
    file.writeBigUInt64LE(BigInt(size), p + 32);
    file.writeBigUInt64LE(BigInt(size), p + 40);
  };
  ph(0, PT_NOTE, noteOffset, 0, notes.length);
  ph(1, PT_LOAD, loadOffset, 0x100000, loadBytes);
  notes.copy(file, noteOffset);
  for (let i = loadOffset; i < file.length; i += 4096) file.write('page', i, 'latin1'); // not all zero
  return o.chop ? file.subarray(0, file.length - o.chop) : file;
}

export const elfExecutable = () => elfCore({ type: ET_EXEC });

/** A small core with a VMCOREINFO note, standing in for web/public/sample.vmcore when the real one is absent. */
export function sampleCore(): Buffer {
  return elfCore({
    cpus: 2,
    loadBytes: 16 * 4096,
    vmcoreinfo: ['OSRELEASE=6.1.0-sample', 'PAGESIZE=4096', 'CRASHTIME=1795626570', 'KERNELOFFSET=22200000', ''].join('\n'),
  });
}
