import { describe, expect, it } from 'vitest';
import { extentSteps, readExtents, sliceExtents, type WorkerReader } from '../../src/io/worker-reader.js';
import type { SourceRef } from '../../src/io/source-ref.js';

// A file of 256 bytes whose byte i is i; extents pick pieces of it and zero runs (-1).
const file = Uint8Array.from({ length: 256 }, (_, i) => i);
const reader: WorkerReader = {
  readInto: (_ref, offset, dest) => void dest().set(file.subarray(offset, offset + dest().length)),
  read: (_ref, offset, length) => file.slice(offset, offset + length),
  mergeGap: 0,
  parallelReads: 1,
};
const ref: SourceRef = { kind: 'fd', fd: -1, name: 'test', size: file.length };
const read = async (extents: Float64Array) => {
  let n = 0;
  for (let i = 1; i < extents.length; i += 2) n += extents[i]!;
  const out = new Uint8Array(n);
  await readExtents(reader, { ref, extents }, () => out);
  return [...out];
};

describe('sliceExtents', () => {
  const extents = Float64Array.from([10, 4, -1, 3, 100, 5, 200, 2]); // 14 bytes: 10..13, 0 0 0, 100..104, 200 201
  it('gives the extents of any byte range of what the extents describe, across pieces and zero runs', async () => {
    const whole = await read(extents);
    expect(whole).toEqual([10, 11, 12, 13, 0, 0, 0, 100, 101, 102, 103, 104, 200, 201]);
    for (let from = 0; from <= whole.length; from++)
      for (let to = from; to <= whole.length; to++) expect(await read(sliceExtents(extents, from, to))).toEqual(whole.slice(from, to));
  });
  it('keeps a zero run a zero run and leaves out empty pieces', () => {
    expect([...sliceExtents(extents, 3, 8)]).toEqual([13, 1, -1, 3, 100, 1]);
    expect([...sliceExtents(extents, 4, 4)]).toEqual([]);
  });
});

describe('extentSteps', () => {
  const extents = Float64Array.from([10, 4, -1, 3, 100, 5, 200, 2]); // as above: 14 bytes
  it('gives the extents of consecutive pieces of what the extents describe, as sliceExtents does for each', () => {
    for (const steps of [[14], [1, 1, 12], [3, 5, 6], [4, 3, 5, 2], [2, 2, 2, 2, 2, 2, 2]]) {
      const next = extentSteps(extents);
      let at = 0;
      for (const n of steps) {
        expect([...next(n)]).toEqual([...sliceExtents(extents, at, at + n)]);
        at += n;
      }
      expect([...next(1)]).toEqual([]);
    }
  });
});
