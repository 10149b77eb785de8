import { VmsieveError } from '../../errors.js';
import { checkRange, truncated, type ByteSource } from '../../io/source.js';
import { archForElfMachine, elfMachineName } from '../../kernel/arch/index.js';
import type { Architecture } from '../../model/architecture.js';
import { readElfBytes } from '../../model/page-extents.js';
import { VmcoreInfo } from '../../model/vmcoreinfo.js';
import { Fields, type ByteOrder } from '../../model/byte-order.js';
import type { DumpWarning } from '../../api-types.js';
import type { Dump, DumpProducer, ElfNote, LoadSegment, PfnRange } from '../../model/dump.js';
import {
  ELF64_EHDR_SIZE,
  ELF64_PHDR_SIZE,
  ELF64_SHDR_SIZE,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  ET_CORE,
  PN_XNUM,
  PT_LOAD,
  PT_NOTE,
} from '../../model/elf-constants.js';
import { incompleteWarning, mergeRanges } from '../incomplete.js';
import { MAX_NOTE_BYTES, parseNotes } from './notes.js';

/** Physical addresses above 2^52 are not real memory; refusing them keeps every offset an exact JS number. */
const MAX_PHYS = 2 ** 52;
const MAX_PHDRS = 1 << 20;

export interface ElfHeader {
  phoff: number;
  shoff: number;
  phnum: number;
  shnum: number;
  ehsize: number;
  machine: number;
  arch: Architecture;
}

export async function readElfHeader(source: ByteSource): Promise<ElfHeader> {
  if (source.size < ELF64_EHDR_SIZE) throw truncated(source, 0, ELF64_EHDR_SIZE, 'the ELF header');
  const b = await source.read(0, ELF64_EHDR_SIZE);
  if (b[4] !== ELFCLASS64)
    throw new VmsieveError('E_ELF_CLASS', `${source.name} is a 32-bit ELF file (class ${b[4]}); only 64-bit kernel dumps are supported`);
  const order = elfByteOrder(b[5]!, source.name);
  const v = new Fields(b, order);
  const type = v.u16(16);
  const swapped: ByteOrder = order === 'little' ? 'big' : 'little';
  if (type !== ET_CORE && new Fields(b, swapped).u16(16) === ET_CORE)
    throw new VmsieveError('E_ELF_ENDIAN', `${source.name} says it is a ${order}-endian ELF file (EI_DATA ${b[5]}) but its header fields are ${swapped}-endian`, { byteOrder: order });
  if (type !== ET_CORE)
    throw new VmsieveError('E_NOT_CORE', `${source.name} is an ELF ${elfTypeName(type)}, not a core dump (ET_CORE): it is not a vmcore`);
  const machine = v.u16(18);
  const arch = archForElfMachine(machine, source.name);
  if (arch.byteOrder !== order)
    throw new VmsieveError('E_ELF_ENDIAN', `${source.name} is a ${order}-endian ${elfMachineName(machine)} dump; vmsieve reads ${arch.name} dumps, which are ${arch.byteOrder}-endian`, { machine, byteOrder: order });
  const phoff = Number(v.u64(32));
  const shoff = Number(v.u64(40));
  const ehsize = v.u16(52);
  const phentsize = v.u16(54);
  let phnum = v.u16(56);
  const shentsize = v.u16(58);
  const shnum = v.u16(60);
  if (phentsize !== ELF64_PHDR_SIZE)
    throw new VmsieveError('E_BAD_HEADER', `${source.name}: program header size is ${phentsize}, expected ${ELF64_PHDR_SIZE}`);
  if (phnum === PN_XNUM) {
    // Extended numbering: the real count lives in section header 0's sh_info.
    if (shoff === 0 || shentsize !== ELF64_SHDR_SIZE)
      throw new VmsieveError('E_BAD_HEADER', `${source.name}: e_phnum is PN_XNUM but there is no section header 0 to hold the count`);
    checkRange(source, shoff, ELF64_SHDR_SIZE, 'section header 0');
    const sh = await source.read(shoff, ELF64_SHDR_SIZE);
    phnum = new Fields(sh, order).u32(44);
  }
  if (phnum === 0) throw new VmsieveError('E_NO_LOAD', `${source.name} has no program headers: nothing of memory is in it`);
  if (phnum > MAX_PHDRS || phoff + phnum * ELF64_PHDR_SIZE > source.size) {
    if (phnum > MAX_PHDRS) throw new VmsieveError('E_ABSURD_SIZE', `${source.name}: ${phnum} program headers is not a plausible vmcore`);
    throw truncated(source, phoff, phnum * ELF64_PHDR_SIZE, `${phnum} program headers`);
  }
  return { phoff, shoff, phnum, shnum, ehsize, machine, arch };
}

function elfByteOrder(eiData: number, fileName: string): ByteOrder {
  if (eiData === ELFDATA2LSB) return 'little';
  if (eiData === ELFDATA2MSB) return 'big';
  throw new VmsieveError('E_ELF_ENDIAN', `${fileName} names no byte order (EI_DATA ${eiData}); it is not a valid ELF file`, { eiData });
}

function elfTypeName(t: number): string {
  return ({ 0: 'file of no type', 1: 'relocatable object', 2: 'executable', 3: 'shared object' } as Record<number, string>)[t] ?? `file of type ${t}`;
}

/** Reads an ELF64 vmcore's structure: headers, notes and PT_LOAD map. Reads only headers and notes, never page data. */
export async function readElfDump(source: ByteSource): Promise<Dump> {
  const eh = await readElfHeader(source);
  const phBytes = await source.read(eh.phoff, eh.phnum * ELF64_PHDR_SIZE);
  const pv = new Fields(phBytes, eh.arch.byteOrder);
  const loads: LoadSegment[] = [];
  const notes: ElfNote[] = [];
  const noteWarnings: DumpWarning[] = [];
  let noteSegment: Dump['noteSegment'];
  for (let i = 0; i < eh.phnum; i++) {
    const o = i * ELF64_PHDR_SIZE;
    const type = pv.u32(o);
    const flags = pv.u32(o + 4);
    const offset = pv.u64(o + 8);
    const vaddr = pv.u64(o + 16);
    const paddr = pv.u64(o + 24);
    const filesz = pv.u64(o + 32);
    const memsz = pv.u64(o + 40);
    if (type === PT_NOTE) {
      if (filesz > BigInt(MAX_NOTE_BYTES))
        throw new VmsieveError('E_ABSURD_SIZE', `${source.name}: PT_NOTE claims ${filesz} bytes of notes, not a plausible vmcore`);
      if (offset + filesz > BigInt(source.size))
        throw new VmsieveError('E_SEGMENT_PAST_EOF', `${source.name}: the PT_NOTE segment (${filesz} bytes at ${offset}) runs past the end of the file (${source.size} bytes); the file is truncated or corrupt`);
      const bytes = await source.read(Number(offset), Number(filesz));
      noteSegment ??= { fileOffset: Number(offset), fileSize: Number(filesz) };
      const parsed = parseNotes(bytes, eh.arch.byteOrder, Number(offset), source.name);
      notes.push(...parsed.notes);
      if (parsed.warning) noteWarnings.push(parsed.warning);
    } else if (type === PT_LOAD) {
      if (paddr + memsz > BigInt(MAX_PHYS) || filesz > memsz)
        throw new VmsieveError('E_ABSURD_SIZE', `${source.name}: PT_LOAD ${i} (paddr 0x${paddr.toString(16)}, memsz 0x${memsz.toString(16)}, filesz 0x${filesz.toString(16)}) is not a plausible memory segment`);
      if (offset > BigInt(MAX_PHYS))
        throw new VmsieveError('E_ABSURD_SIZE', `${source.name}: PT_LOAD ${i} claims file offset ${offset}, not a plausible vmcore`, { segment: i });
      loads.push({
        physStart: Number(paddr),
        physEnd: Number(paddr + memsz),
        fileOffset: Number(offset),
        fileSize: Number(filesz),
        virtStart: vaddr,
        flags,
      });
    }
  }
  if (loads.length === 0) throw new VmsieveError('E_NO_LOAD', `${source.name} has no PT_LOAD segment: it holds no memory`);
  const infoNote = notes.find((n) => n.name === 'VMCOREINFO');
  const vmcoreinfo = infoNote ? VmcoreInfo.fromNote(infoNote.desc) : undefined;
  const pageSize = vmcoreinfo?.pageSize ?? 4096;
  const maxPhys = Math.max(...loads.map((l) => l.physEnd));
  const { missing, warnings } = clipToFile(source, loads, pageSize);
  const conflict = vmcoreinfo?.conflictWarning(source.name) ?? [];
  return new ElfDump(source, producerOf(notes, loads), eh.arch, pageSize, notes, loads, vmcoreinfo, noteSegment, Math.ceil(maxPhys / pageSize), missing, [...noteWarnings, ...conflict, ...warnings]);
}

/**
 * A vmcore cut short (a full disk, an interrupted copy) is read as far as it goes: each PT_LOAD keeps the whole pages
 * the file still holds, and the rest of its p_filesz becomes missing pages, never zero pages.
 */
function clipToFile(source: ByteSource, loads: LoadSegment[], pageSize: number): { missing: PfnRange[]; warnings: DumpWarning[] } {
  const missing: PfnRange[] = [];
  for (const l of loads) {
    if (l.fileOffset + l.fileSize <= source.size) continue;
    const inFile = Math.max(0, source.size - l.fileOffset);
    const keptEnd = Math.max(l.physStart, Math.floor((l.physStart + inFile) / pageSize) * pageSize);
    missing.push({ start: Math.floor(keptEnd / pageSize), end: Math.ceil((l.physStart + l.fileSize) / pageSize) });
    l.fileSize = keptEnd - l.physStart;
  }
  return { missing: mergeRanges(missing), warnings: missing.length ? [incompleteWarning(source.name, mergeRanges(missing), 'the file ends inside its memory segments')] : [] };
}

function producerOf(notes: ElfNote[], loads: readonly LoadSegment[]): DumpProducer {
  if (notes.some((n) => n.name === 'QEMU')) return 'qemu';
  // QEMU writes its "QEMU" CPU-state note for x86 guests only; its PT_LOADs have no permission flags, where the
  // kernel's and kexec's /proc/vmcore headers mark every one RWX.
  if (loads.every((l) => l.flags === 0)) return 'qemu';
  if (notes.some((n) => n.name === 'CORE') && notes.some((n) => n.name === 'VMCOREINFO')) return 'kdump';
  return 'unknown';
}

class ElfDump implements Dump {
  readonly format = 'elf';

  constructor(
    readonly source: ByteSource,
    readonly producer: DumpProducer,
    readonly arch: Architecture,
    readonly pageSize: number,
    readonly notes: ElfNote[],
    readonly loads: LoadSegment[],
    readonly vmcoreinfo: VmcoreInfo | undefined,
    readonly noteSegment: Dump['noteSegment'],
    readonly maxPfnFromLoads: number,
    readonly missing: readonly PfnRange[],
    readonly warnings: readonly DumpWarning[],
  ) {}

  /** The segment holding paddr; the first in program-header order when segments overlap, as makedumpfile picks. */
  segmentAt(paddr: number): LoadSegment | undefined {
    return this.loads.find((l) => paddr >= l.physStart && paddr < l.physEnd);
  }

  async readPhys(paddr: number, length: number): Promise<Uint8Array> {
    for (const m of this.missing)
      if (paddr < m.end * this.pageSize && paddr + length > m.start * this.pageSize)
        throw new VmsieveError('E_NOT_IN_DUMP', `physical address 0x${Math.max(paddr, m.start * this.pageSize).toString(16)} is missing from ${this.source.name}: the file ends before it (incomplete dump)`, { paddr });
    const first = this.segmentAt(paddr);
    if (first && paddr + length <= first.physStart + first.fileSize)
      return this.source.read(first.fileOffset + (paddr - first.physStart), length);
    // Bytes between or after segments read as zero (riscv64's kexec leaves a 1-byte gap mid-page), as long as some
    // byte is in one.
    if (!this.loads.some((l) => l.physStart < paddr + length && l.physEnd > paddr))
      throw new VmsieveError('E_NOT_IN_DUMP', `physical address 0x${paddr.toString(16)} is not in the dump`, { paddr });
    return readElfBytes(this.source, this.loads, [[paddr, length]], length);
  }
}
