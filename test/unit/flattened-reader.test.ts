import { describe, expect, it } from 'vitest';
import { FLAT_HEADER_SIZE, flatHeader, restoreFlattened, sourceChunks } from '../../src/formats/flat/flattened.js';
import { FlattenedSource } from '../../src/formats/flat/read-flattened.js';
import { openDump } from '../../src/formats/open-dump.js';
import { MemorySink } from '../../src/io/sink.js';
import { MemorySource, type ByteSource } from '../../src/io/source.js';
import { elfCore } from '../helpers/elf-builder.js';

function record(offset: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(16 + data.length);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(offset), false);
  v.setBigInt64(8, BigInt(data.length), false);
  b.set(data, 16);
  return b;
}
const END = record(-1, new Uint8Array(0));
new DataView(END.buffer).setBigInt64(8, -1n, false);

function flatFile(records: Array<[number, Uint8Array]>): Uint8Array {
  const parts = [flatHeader(), ...records.map(([o, d]) => record(o, d)), END];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

const filled = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff);

async function restored(flat: Uint8Array): Promise<Uint8Array> {
  const sink = new MemorySink();
  await restoreFlattened(sourceChunks(new MemorySource(flat)), sink);
  return sink.bytes();
}

describe('FlattenedSource reads a flattened file as the file -R restores from it', () => {
  it('records out of order, overlapping (the later wins), with gaps (zeros)', async () => {
    const flat = flatFile([
      [5000, filled(3000, 1)],
      [0, filled(1000, 2)],
      [6000, filled(500, 3)], // rewrites part of the first record
      [2000, filled(100, 4)],
      [5500, filled(4000, 5)], // rewrites the rewrite and runs past it
      [5800, filled(10, 6)],
    ]);
    const want = await restored(flat);
    const src = await FlattenedSource.open(new MemorySource(flat, 'x.flat'));
    expect(src.size).toBe(want.length);
    expect(src.index.records).toBe(6);
    expect(await src.read(0, src.size)).toEqual(want);
    for (let at = 0; at < src.size; at += 487) {
      const n = Math.min(977, src.size - at);
      expect(await src.read(at, n)).toEqual(want.subarray(at, at + n));
    }
  });

  it('opens an ELF vmcore that was flattened, and names the flattened file', async () => {
    const core = new Uint8Array(elfCore({ vmcoreinfo: 'OSRELEASE=6.1.0\nPAGESIZE=4096\n', loadBytes: 8 * 4096 }));
    const pieces: Array<[number, Uint8Array]> = [];
    for (let at = 0; at < core.length; at += 3000) pieces.push([at, core.subarray(at, Math.min(core.length, at + 3000))]);
    const dump = await openDump(new MemorySource(flatFile(pieces.reverse()), 'core.flat'));
    expect(dump.format).toBe('elf');
    expect(dump.source.name).toBe('core.flat');
    expect(dump.vmcoreinfo?.osRelease).toBe('6.1.0');
    expect(new TextDecoder().decode(await dump.readPhys(0x100000, 4))).toBe('page');
  });

  it('says what is wrong with a truncated or corrupt flattened file', async () => {
    const flat = flatFile([[0, filled(1000, 1)]]);
    await expect(FlattenedSource.open(new MemorySource(flat.subarray(0, flat.length - 16)))).rejects.toMatchObject({ code: 'E_TRUNCATED' });
    await expect(FlattenedSource.open(new MemorySource(flat.subarray(0, FLAT_HEADER_SIZE + 500)))).rejects.toMatchObject({ code: 'E_TRUNCATED' });
    const bad = flat.slice();
    new DataView(bad.buffer).setBigInt64(FLAT_HEADER_SIZE + 8, -5n, false);
    await expect(FlattenedSource.open(new MemorySource(bad))).rejects.toMatchObject({ code: 'E_BAD_HEADER' });
    await expect(openDump(new MemorySource(flatFile([[0, flatHeader()]])))).rejects.toMatchObject({ code: 'E_BAD_HEADER' });
  });

  it('indexes a flattened 128 GiB dump (64 KiB records) in well under 512 MiB, reading only record headers', async () => {
    const recordData = 64 << 10;
    const records = (128 * 2 ** 30) / recordData;
    const stride = 16 + recordData;
    let bytesRead = 0;
    // A file that is never stored: each read is made up from the record it falls in.
    const virtual: ByteSource = {
      name: 'huge.flat',
      size: FLAT_HEADER_SIZE + records * stride + 16,
      async read(offset, length) {
        bytesRead += length;
        const out = new Uint8Array(length);
        if (offset === 0) out.set(flatHeader().subarray(0, length));
        const v = new DataView(out.buffer);
        for (let rec = Math.max(0, Math.floor((offset - FLAT_HEADER_SIZE) / stride)); ; rec++) {
          const h = FLAT_HEADER_SIZE + rec * stride;
          if (h >= offset + length) break;
          if (h < offset || h + 16 > offset + length) continue;
          v.setBigInt64(h - offset, rec === records ? -1n : BigInt(rec * recordData), false);
          v.setBigInt64(h - offset + 8, rec === records ? -1n : BigInt(recordData), false);
        }
        return out;
      },
    };
    global.gc?.();
    const before = process.memoryUsage();
    const src = await FlattenedSource.open(virtual);
    const after = process.memoryUsage();
    expect(src.size).toBe(128 * 2 ** 30);
    expect(src.index.records).toBe(records);
    const grew = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    console.log(`[flattened index] ${records} records of a 128 GiB dump: ${(grew / 2 ** 20).toFixed(0)} MiB, ${(bytesRead / 2 ** 20).toFixed(0)} MiB read`);
    expect(grew).toBeLessThan(512 * 2 ** 20);
    expect(bytesRead).toBeLessThan(records * 64 + (1 << 20));
  });
});
