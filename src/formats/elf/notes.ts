import type { DumpWarning } from '../../api-types.js';
import type { ElfNote } from '../../model/dump.js';
import { NT_PRSTATUS } from '../../model/elf-constants.js';
import { Fields, type ByteOrder } from '../../model/byte-order.js';

/** The most bytes of notes read (a real PT_NOTE holds a few KiB per CPU): a larger claim is corruption. */
export const MAX_NOTE_BYTES = 64 * 1024 * 1024;

/** Plain arithmetic, not `& ~3`: a corrupt size near 2^32 must not wrap negative. */
const align4 = (n: number) => Math.ceil(n / 4) * 4;

/** One note of a PT_NOTE segment: its header, and where its name and descriptor sit in the segment. */
interface NoteFrame {
  at: number;
  type: number;
  namesz: number;
  descsz: number;
  nameAt: number;
  descAt: number;
  /** Where the next note starts: after the descriptor's padding, which may run past the segment's last byte. */
  end: number;
}

/** A note whose name or descriptor runs past the segment: the walk ends there. */
interface NoteCut {
  at: number;
  namesz: number;
  descsz: number;
}

/**
 * The one walk over a PT_NOTE segment, for every input format and for the writers. It stops at an all-zero header
 * (zero padding ends many segments) and at a note that does not fit, so no size field, however corrupt, reads
 * outside the segment.
 */
function walkNotes(bytes: Uint8Array, order: ByteOrder): { frames: NoteFrame[]; cut: NoteCut | undefined } {
  const view = new Fields(bytes, order);
  const frames: NoteFrame[] = [];
  for (let at = 0; at + 12 <= bytes.length; ) {
    const namesz = view.u32(at);
    const descsz = view.u32(at + 4);
    const type = view.u32(at + 8);
    if (namesz === 0 && descsz === 0 && type === 0) break;
    const nameAt = at + 12;
    const descAt = nameAt + align4(namesz);
    const end = descAt + align4(descsz);
    if (descAt + descsz > bytes.length || end <= at) return { frames, cut: { at, namesz, descsz } };
    frames.push({ at, type, namesz, descsz, nameAt, descAt, end });
    at = end;
  }
  return { frames, cut: undefined };
}

/**
 * Splits a PT_NOTE segment into notes. A note that runs past the segment ends the list, with a warning naming it:
 * the notes before it are still read.
 */
export function parseNotes(bytes: Uint8Array, order: ByteOrder, segmentFileOffset: number, fileName: string): { notes: ElfNote[]; warning: DumpWarning | undefined } {
  const { frames, cut } = walkNotes(bytes, order);
  const notes = frames.map((f) => ({
    name: new TextDecoder('latin1').decode(bytes.subarray(f.nameAt, f.nameAt + f.namesz)).replace(/\0+$/, ''),
    type: f.type,
    desc: bytes.slice(f.descAt, f.descAt + f.descsz),
    fileOffset: segmentFileOffset + f.at,
    fileLength: Math.min(f.end, bytes.length) - f.at,
  }));
  const warning = cut && {
    code: 'W_NOTE_PAST_SEGMENT',
    message: `${fileName}: the ELF note at file offset ${segmentFileOffset + cut.at} claims a ${cut.namesz}-byte name and a ${cut.descsz}-byte descriptor, past the end of its ${bytes.length}-byte note segment; it and any notes after it are ignored`,
  };
  return { notes, warning };
}

/** What makedumpfile takes from a PT_NOTE copy: CPU count and where VMCOREINFO's text sits. */
export interface NoteSegmentInfo {
  /** Notes named "CORE" of type NT_PRSTATUS (makedumpfile's nr_cpus). */
  nrCpus: number;
  /** Offset of the VMCOREINFO descriptor inside the segment, and its length. */
  vmcoreinfo: { offset: number; size: number } | undefined;
}

function nameIs(bytes: Uint8Array, f: NoteFrame, want: string): boolean {
  // strncmp(want, name, strlen(want) + 1): the name must be `want` followed by NUL.
  if (f.namesz < want.length + 1) return false;
  for (let i = 0; i < want.length; i++) if (bytes[f.nameAt + i] !== want.charCodeAt(i)) return false;
  return bytes[f.nameAt + want.length] === 0;
}

/** The notes of a PT_NOTE segment read the way makedumpfile's get_pt_note_info reads them. */
export function walkNoteSegment(bytes: Uint8Array, order: ByteOrder): NoteSegmentInfo {
  let nrCpus = 0;
  let vmcoreinfo: NoteSegmentInfo['vmcoreinfo'];
  for (const f of walkNotes(bytes, order).frames) {
    if (nameIs(bytes, f, 'CORE')) {
      if (f.type === NT_PRSTATUS) nrCpus++;
    } else if (nameIs(bytes, f, 'VMCOREINFO') && f.type === 0) {
      vmcoreinfo = { offset: f.descAt, size: f.descsz };
    }
  }
  return { nrCpus, vmcoreinfo };
}
