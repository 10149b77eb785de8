// Checks of a kdump-compressed file's header fields against each other, made when the file is opened: a
// contradiction is refused with the place it is, rather than read as a dump whose pages or notes are someone else's.
import { VmsieveError } from '../../errors.js';
import type { ElfNote } from '../../model/dump.js';
import type { ByteOrder } from '../../model/byte-order.js';
import { MAX_NOTE_BYTES, walkNoteSegment } from '../elf/notes.js';
import type { KdumpSubHeader } from './diskdump.js';

/** A sub-header size of notes, VMCOREINFO or eraseinfo (text of a few KiB): refused before it is read when absurd. */
export function boundedSize(name: string, field: string, size: bigint): number {
  if (size > BigInt(MAX_NOTE_BYTES)) throw new VmsieveError('E_ABSURD_SIZE', `${name}: the kdump sub-header's ${field} is ${size} bytes: not plausible`, { field });
  return Number(size);
}

/**
 * makedumpfile points offset_vmcoreinfo/size_vmcoreinfo at the descriptor of the VMCOREINFO note among the notes at
 * offset_note; when they disagree one of the offsets is corrupt, and the notes a re-filtered dump copies would not
 * be the kernel's.
 */
export function checkVmcoreinfoNote(name: string, noteBytes: Uint8Array, order: ByteOrder, sub: KdumpSubHeader): void {
  const note = walkNoteSegment(noteBytes, order).vmcoreinfo;
  const descAt = note && Number(sub.offsetNote) + note.offset;
  if (note && BigInt(descAt!) === sub.offsetVmcoreinfo && BigInt(note.size) === sub.sizeVmcoreinfo) return;
  const found = note ? `the VMCOREINFO note's text is ${note.size} bytes at ${descAt}` : 'they hold no VMCOREINFO note';
  throw new VmsieveError(
    'E_CORRUPT',
    `${name}: the sub-header puts VMCOREINFO at ${sub.offsetVmcoreinfo} (${sub.sizeVmcoreinfo} bytes) and the ELF notes at ${sub.offsetNote} (${sub.sizeNote} bytes), but ${found}: offset_note or offset_vmcoreinfo is corrupt`,
  );
}

/**
 * Notes are named in printable ASCII ("CORE", "VMCOREINFO", "QEMU"…). Any other name was read from bytes that are
 * not a note header: offset_note points elsewhere, and a re-filtered dump would copy those bytes as its notes.
 */
export function checkNoteNames(name: string, notes: readonly ElfNote[], offsetNote: number): void {
  const bad = notes.find((n) => !/^[\x20-\x7e]*$/.test(n.name));
  if (bad)
    throw new VmsieveError('E_CORRUPT', `${name}: the ELF note at byte ${bad.fileOffset} (offset_note ${offsetNote}) has an unreadable name: offset_note is corrupt`, { offset: bad.fileOffset });
}

/** Every pfn the file holds (2nd bitmap) is memory (1st bitmap): makedumpfile derives the 2nd from the 1st. */
export function checkBitmapsAgree(name: string, bitmap1: Uint8Array, bitmap2: Uint8Array): void {
  for (let i = 0; i < bitmap2.length; i++) {
    const stray = bitmap2[i]! & ~bitmap1[i]!;
    if (stray === 0) continue;
    const pfn = i * 8 + Math.log2(stray & -stray);
    throw new VmsieveError('E_CORRUPT', `${name}: pfn 0x${pfn.toString(16)} is in the 2nd bitmap (a page the file holds) but not in the 1st (memory): the bitmaps are corrupt`, { pfn });
  }
}
