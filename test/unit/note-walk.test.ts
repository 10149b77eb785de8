import { describe, expect, it } from 'vitest';
import { decodeSubHeader } from '../../src/formats/kdump/diskdump.js';
import { writeKdump } from '../../src/formats/kdump/write-kdump.js';
import { parseNotes, walkNoteSegment } from '../../src/formats/elf/notes.js';
import { openDump } from '../../src/formats/open-dump.js';
import { bitmapBytes, setBit, type PageSelection } from '../../src/formats/selection.js';
import { MemorySink } from '../../src/io/sink.js';
import { MemorySource } from '../../src/io/source.js';
import { buildElfCore, noteBytes, prstatusNote, vmcoreinfoNote } from '../helpers/elf-builder.js';

const PS = 4096;
const INFO = 'OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1700000000\n';
const NOTES = [prstatusNote(), vmcoreinfoNote(INFO)];
/** Where the VMCOREINFO note's header sits in the segment: after the CORE note (12 + "CORE\0" padded + 336). */
const VMCOREINFO_AT = 12 + 8 + 336;

type Corruption = { what: string; at: number; field: 'namesz' | 'descsz'; value: number };
// A size of 2^31 made the old walk's `(n + 3) & ~3` negative (a RangeError in the kdump writer); 0x1000 just runs long.
const CORRUPTIONS: Corruption[] = [
  { what: "VMCOREINFO's descsz 0x80000000", at: VMCOREINFO_AT, field: 'descsz', value: 0x8000_0000 },
  { what: "VMCOREINFO's namesz past the segment", at: VMCOREINFO_AT, field: 'namesz', value: 0x1000 },
  { what: "CORE's namesz 0x80000000", at: 0, field: 'namesz', value: 0x8000_0000 },
];

function corrupt(segment: Uint8Array, at: number, c: Corruption): void {
  new DataView(segment.buffer, segment.byteOffset).setUint32(at + c.at + (c.field === 'namesz' ? 0 : 4), c.value, true);
}

/** Every page of the one PT_LOAD (pfns 1-4, each filled with 7s). */
function allPages(): PageSelection {
  const maxPfn = 5;
  const bitmap = new Uint8Array(bitmapBytes(maxPfn));
  for (let p = 1; p < maxPfn; p++) setBit(bitmap, p);
  return { maxPfn, bitmap1: bitmap, bitmap2: bitmap, excludeZero: false };
}

/** A kdump-compressed file written from a small ELF core, its note segment copied from the core's PT_NOTE. */
async function kdumpFile(): Promise<Uint8Array> {
  const core = buildElfCore({ notes: NOTES, loads: [{ paddr: PS, vaddr: 0xffff888000001000n, data: new Uint8Array(4 * PS).fill(7) }] });
  const sink = new MemorySink('clean.kdump');
  await writeKdump(await openDump(new MemorySource(core, 'clean.vmcore')), allPages(), sink, { dumpLevel: 0 });
  return sink.bytes().slice();
}

describe('the PT_NOTE walk stops at a note that runs past its segment', () => {
  for (const c of CORRUPTIONS) {
    it(`${c.what}: the notes before it, and a warning naming it`, () => {
      const segment = noteBytes(NOTES);
      corrupt(segment, 0, c);
      const { notes, warning } = parseNotes(segment, 'little', 1000, 'bad.vmcore');
      expect(notes.map((n) => n.name)).toEqual(c.at === 0 ? [] : ['CORE']);
      expect(warning?.code).toBe('W_NOTE_PAST_SEGMENT');
      expect(warning?.message).toContain(`bad.vmcore: the ELF note at file offset ${1000 + c.at} claims`);
      expect(walkNoteSegment(segment, 'little')).toEqual({ nrCpus: c.at === 0 ? 0 : 1, vmcoreinfo: undefined });
    });

    it(`${c.what} in a kdump file's notes: it opens with the warning and exports again`, async () => {
      const file = await kdumpFile();
      const offsetNote = Number(decodeSubHeader(file.subarray(PS, 2 * PS), 'little').offsetNote);
      corrupt(file, offsetNote, c);
      const dump = await openDump(new MemorySource(file, 'bad.kdump'));
      expect(dump.warnings?.map((w) => w.code)).toContain('W_NOTE_PAST_SEGMENT');
      const out = new MemorySink('again.kdump');
      await writeKdump(dump, allPages(), out, { dumpLevel: 0 });
      const again = await openDump(new MemorySource(out.bytes().slice(), 'again.kdump'));
      expect(await again.readPhys(PS, PS)).toEqual(new Uint8Array(PS).fill(7));
    });
  }
});
