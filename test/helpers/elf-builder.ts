/** Builds small ELF64 core files in memory for tests of the reader's error paths. */
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
}

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

export function prstatusNote(rip = 0xffffffff81000000n): NoteSpec {
  const desc = new Uint8Array(336);
  new DataView(desc.buffer).setBigUint64(112 + 16 * 8, rip, true);
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
  const loadOffsets = loads.map((l) => {
    const at = offset;
    offset += l.data.length;
    return at;
  });
  const file = new Uint8Array(offset);
  const v = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, spec.eiClass ?? 2, spec.eiData ?? 1, 1]);
  v.setUint16(16, spec.type ?? 4, true);
  v.setUint16(18, spec.machine ?? 62, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(32, BigInt(phoff), true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, spec.extendedNumbering ? 0xffff : phnum, true);
  v.setUint16(58, spec.extendedNumbering ? 64 : 0, true);
  v.setUint16(60, spec.extendedNumbering ? 1 : 0, true);
  const ph = (i: number, type: number, off: number, vaddr: bigint, paddr: number, filesz: number, memsz: number) => {
    const o = phoff + i * 56;
    v.setUint32(o, type, true);
    v.setUint32(o + 4, 7, true);
    v.setBigUint64(o + 8, BigInt(off), true);
    v.setBigUint64(o + 16, vaddr, true);
    v.setBigUint64(o + 24, BigInt(paddr), true);
    v.setBigUint64(o + 32, BigInt(filesz), true);
    v.setBigUint64(o + 40, BigInt(memsz), true);
  };
  ph(0, 4, noteOffset, 0n, 0, notes.length, notes.length);
  loads.forEach((l, i) => ph(i + 1, 1, loadOffsets[i], l.vaddr ?? 0n, l.paddr, l.data.length, l.memsz ?? l.data.length));
  if (spec.extendedNumbering) v.setUint32(shoff + 44, phnum, true);
  file.set(notes, noteOffset);
  loads.forEach((l, i) => file.set(l.data, loadOffsets[i]));
  return file;
}
