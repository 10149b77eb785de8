/**
 * Builds small ELF64 core files in memory for tests: `buildElfCore` takes an explicit spec (vitest tests of the
 * reader's error paths, writers, CLI); `elfCore` / `elfExecutable` / `sampleCore` are option-style shortcuts on top of
 * it (the page's Playwright bad-input tests, and a stand-in sample dump). Little-endian x86_64 unless told otherwise.
 */
export interface NoteSpec {
  name: string;
  type: number;
  desc: Uint8Array;
}

export interface LoadSpec {
  paddr: number;
  vaddr?: bigint;
  data: Uint8Array;
  memsz?: number;
  /** p_flags; default 7 (RWX). */
  flags?: number;
}

export interface ElfSpec {
  notes?: NoteSpec[];
  loads?: LoadSpec[];
  eiClass?: number;
  eiData?: number;
  type?: number;
  machine?: number;
  /** Write e_phnum as PN_XNUM with the real count in section header 0. */
  extendedNumbering?: boolean;
  /** p_flags of the PT_NOTE; default 7. */
  noteFlags?: number;
  /** Align each PT_LOAD's file offset to this many bytes (zero-padded); default 1 (packed after the notes). */
  loadAlign?: number;
}

const PT_LOAD = 1;
const PT_NOTE = 4;
const ET_EXEC = 2;
const ET_CORE = 4;
const EM_X86_64 = 62;
const PAGE = 4096;

const align4 = (n: number) => (n + 3) & ~3;

export function noteBytes(notes: NoteSpec[]): Uint8Array {
  const parts: number[] = [];
  const out: Uint8Array[] = [];
  for (const n of notes) {
    const name = new TextEncoder().encode(`${n.name}\0`);
    const buf = new Uint8Array(12 + align4(name.length) + align4(n.desc.length));
    const v = new DataView(buf.buffer);
    v.setUint32(0, name.length, true);
    v.setUint32(4, n.desc.length, true);
    v.setUint32(8, n.type, true);
    buf.set(name, 12);
    buf.set(n.desc, 12 + align4(name.length));
    out.push(buf);
    parts.push(buf.length);
  }
  const total = new Uint8Array(parts.reduce((a, b) => a + b, 0));
  let p = 0;
  for (const b of out) {
    total.set(b, p);
    p += b.length;
  }
  return total;
}

export function vmcoreinfoNote(text: string): NoteSpec {
  return { name: 'VMCOREINFO', type: 0, desc: new TextEncoder().encode(text) };
}

export function prstatusNote(rip = 0xffffffff81000000n, pid = 0): NoteSpec {
  const desc = new Uint8Array(336);
  const v = new DataView(desc.buffer);
  v.setInt32(32, pid, true); // pr_pid
  v.setBigUint64(112 + 16 * 8, rip, true);
  return { name: 'CORE', type: 1, desc };
}

export function buildElfCore(spec: ElfSpec): Uint8Array {
  const notes = noteBytes(spec.notes ?? []);
  const loads = spec.loads ?? [];
  const phnum = 1 + loads.length;
  const phoff = 64;
  const shoff = spec.extendedNumbering ? phoff + phnum * 56 : 0;
  let offset = phoff + phnum * 56 + (spec.extendedNumbering ? 64 : 0);
  const noteOffset = offset;
  offset += notes.length;
  const loadAlign = spec.loadAlign ?? 1;
  const loadOffsets = loads.map((l) => {
    const at = Math.ceil(offset / loadAlign) * loadAlign;
    offset = at;
    offset += l.data.length;
    return at;
  });
  const file = new Uint8Array(offset);
  const v = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, spec.eiClass ?? 2, spec.eiData ?? 1, 1]);
  v.setUint16(16, spec.type ?? ET_CORE, true);
  v.setUint16(18, spec.machine ?? EM_X86_64, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(32, BigInt(phoff), true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, spec.extendedNumbering ? 0xffff : phnum, true);
  v.setUint16(58, spec.extendedNumbering ? 64 : 0, true);
  v.setUint16(60, spec.extendedNumbering ? 1 : 0, true);
  const ph = (i: number, type: number, flags: number, off: number, vaddr: bigint, paddr: number, filesz: number, memsz: number) => {
    const o = phoff + i * 56;
    v.setUint32(o, type, true);
    v.setUint32(o + 4, flags, true);
    v.setBigUint64(o + 8, BigInt(off), true);
    v.setBigUint64(o + 16, vaddr, true);
    v.setBigUint64(o + 24, BigInt(paddr), true);
    v.setBigUint64(o + 32, BigInt(filesz), true);
    v.setBigUint64(o + 40, BigInt(memsz), true);
  };
  ph(0, PT_NOTE, spec.noteFlags ?? 7, noteOffset, 0n, 0, notes.length, notes.length);
  loads.forEach((l, i) => ph(i + 1, PT_LOAD, l.flags ?? 7, loadOffsets[i], l.vaddr ?? 0n, l.paddr, l.data.length, l.memsz ?? l.data.length));
  if (spec.extendedNumbering) v.setUint32(shoff + 44, phnum, true);
  file.set(notes, noteOffset);
  loads.forEach((l, i) => file.set(l.data, loadOffsets[i]));
  return file;
}

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

/**
 * An ELF64 core (or, with `type`, another ELF type) with a PT_NOTE (one NT_PRSTATUS per CPU, then the optional
 * VMCOREINFO) and one page-aligned PT_LOAD at physical 1 MiB, each of its pages starting with "page" (not all zero).
 */
export function elfCore(o: ElfOptions = {}): Buffer {
  const loadBytes = o.loadBytes ?? 2 * PAGE;
  const data = new Uint8Array(loadBytes);
  const marker = new TextEncoder().encode('page');
  for (let i = 0; i < loadBytes; i += PAGE) data.set(marker.subarray(0, Math.min(marker.length, loadBytes - i)), i);
  const paddr = 0x100000;
  const file = buildElfCore({
    eiClass: o.elfClass ?? 2,
    eiData: o.data ?? 1,
    type: o.type ?? ET_CORE,
    notes: [
      ...Array.from({ length: o.cpus ?? 1 }, (_, i) => prstatusNote(0xffffffff81000000n + BigInt(i) * 0x10n, 100 + i)),
      ...(o.vmcoreinfo !== undefined ? [vmcoreinfoNote(o.vmcoreinfo)] : []),
    ],
    noteFlags: 0,
    loadAlign: PAGE,
    loads: [{ paddr, vaddr: 0xffff888000000000n + BigInt(paddr), data }],
  });
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  return o.chop ? bytes.subarray(0, bytes.length - o.chop) : bytes;
}

export const elfExecutable = (): Buffer => elfCore({ type: ET_EXEC });

/** A small core with a VMCOREINFO note, standing in for web/public/sample.vmcore when the real one is absent. */
export function sampleCore(): Buffer {
  return elfCore({
    cpus: 2,
    loadBytes: 16 * PAGE,
    vmcoreinfo: ['OSRELEASE=6.1.0-sample', 'PAGESIZE=4096', 'CRASHTIME=1795626570', 'KERNELOFFSET=22200000', ''].join('\n'),
  });
}
