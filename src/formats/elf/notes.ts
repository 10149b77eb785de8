import type { ElfNote } from '../../model/dump.js';

/** Plain arithmetic, not `& ~3`: a corrupt size near 2^32 must not wrap negative. */
const align4 = (n: number) => Math.ceil(n / 4) * 4;

/** Splits a PT_NOTE segment into notes; stops at the first note that does not fit (zero padding ends many segments). */
export function parseNotes(bytes: Uint8Array, segmentFileOffset: number): ElfNote[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const notes: ElfNote[] = [];
  let p = 0;
  while (p + 12 <= bytes.length) {
    const namesz = view.getUint32(p, true);
    const descsz = view.getUint32(p + 4, true);
    const type = view.getUint32(p + 8, true);
    if (namesz === 0 && descsz === 0 && type === 0) break;
    const nameStart = p + 12;
    const descStart = nameStart + align4(namesz);
    const end = descStart + align4(descsz);
    if (descStart + descsz > bytes.length || end <= p) break;
    const nameBytes = bytes.subarray(nameStart, nameStart + namesz);
    const name = new TextDecoder('latin1').decode(nameBytes).replace(/\0+$/, '');
    notes.push({
      name,
      type,
      desc: bytes.slice(descStart, descStart + descsz),
      fileOffset: segmentFileOffset + p,
      fileLength: Math.min(end, bytes.length) - p,
    });
    p = end;
  }
  return notes;
}
