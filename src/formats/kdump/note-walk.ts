/** What makedumpfile takes from a PT_NOTE copy: CPU count and where VMCOREINFO's text sits. */
export interface NoteSegmentInfo {
  /** Notes named "CORE" of type NT_PRSTATUS (makedumpfile's nr_cpus). */
  nrCpus: number;
  /** Offset of the VMCOREINFO descriptor inside the segment, and its length. */
  vmcoreinfo: { offset: number; size: number } | undefined;
}

const align4 = (n: number) => (n + 3) & ~3;
const NT_PRSTATUS = 1;

function nameIs(bytes: Uint8Array, at: number, namesz: number, want: string): boolean {
  // strncmp(want, name, strlen(want) + 1): the name must be `want` followed by NUL.
  if (namesz < want.length + 1 || at + want.length + 1 > bytes.length) return false;
  for (let i = 0; i < want.length; i++) if (bytes[at + i] !== want.charCodeAt(i)) return false;
  return bytes[at + want.length] === 0;
}

/** Walks every note of a PT_NOTE segment the way makedumpfile's get_pt_note_info does. */
export function walkNoteSegment(bytes: Uint8Array): NoteSegmentInfo {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let nrCpus = 0;
  let vmcoreinfo: NoteSegmentInfo['vmcoreinfo'];
  let p = 0;
  while (p + 12 <= bytes.length) {
    const namesz = v.getUint32(p, true);
    const descsz = v.getUint32(p + 4, true);
    const type = v.getUint32(p + 8, true);
    const name = p + 12;
    const desc = name + align4(namesz);
    if (namesz > 0) {
      if (nameIs(bytes, name, namesz, 'CORE')) {
        if (type === NT_PRSTATUS) nrCpus++;
      } else if (nameIs(bytes, name, namesz, 'VMCOREINFO') && type === 0) {
        vmcoreinfo = { offset: desc, size: descsz };
      }
    }
    p = desc + align4(descsz);
  }
  return { nrCpus, vmcoreinfo };
}
