// Compute workers read and decode a kdump-compressed file's pages themselves (StoredPages): what they decode is
// what the reader's readPhys reads, for a plain file, a flattened one (its records located in the flat file) and a
// file whose zero pages all refer to the one shared zero page (read once per task, not once per page).
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressor, type CodecId } from '../../src/codecs/registry.js';
import { FlattenedSink } from '../../src/formats/flat/flattened.js';
import { FlattenedSource } from '../../src/formats/flat/read-flattened.js';
import { readKdumpDump, type KdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { writeKdump } from '../../src/formats/kdump/write-kdump.js';
import { openDump } from '../../src/formats/open-dump.js';
import { bitmapBytes, setBit } from '../../src/formats/selection.js';
import { blobReader } from '../../src/io/blob-reader.js';
import { MemorySequentialSink, MemorySink } from '../../src/io/sink.js';
import { MemorySource, type ByteSource } from '../../src/io/source.js';
import { readRuns, taskPages, type PfnRun } from '../../src/model/page-extents.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { PageCompute } from '../../src/workers/page-compute.js';
import { compressorEncoder } from '../helpers/in-thread-encoders.js';
import { syntheticPages } from '../helpers/decoders.js';
import { buildElfCore, prstatusNote, vmcoreinfoNote } from '../helpers/elf-builder.js';

const PS = 4096;
const COUNT = 96;
let k: KernelExports;
beforeAll(async () => {
  k = await instantiateKernels(await nodeWasmModule());
});

/** A source held in memory that compute workers reach as a Blob, as the page's File. */
function blobSource(bytes: Uint8Array, name: string): ByteSource {
  const blob = new Blob([bytes as BlobPart]);
  return Object.assign(new MemorySource(bytes, name), { ref: () => ({ kind: 'blob' as const, blob, name }) });
}

/** The vmcore's pages written as `codec` kdump; zero pages stay in the bitmap and refer to the shared zero page. */
async function kdumpBytes(codec: CodecId, flatten: boolean): Promise<Uint8Array> {
  const data = syntheticPages(COUNT, PS, 3);
  for (const zero of [5, 6, 7, 40, 90]) data.fill(0, zero * PS, (zero + 1) * PS);
  const core = buildElfCore({
    notes: [prstatusNote(), vmcoreinfoNote('OSRELEASE=6.1.0-test\nPAGESIZE=4096\nNUMBER(phys_base)=0\nCRASHTIME=1700000000\n')],
    loads: [{ paddr: 0, vaddr: 0xffff888000000000n, data }],
  });
  const bitmap = new Uint8Array(bitmapBytes(COUNT));
  for (let p = 0; p < COUNT; p++) setBit(bitmap, p);
  const elf = await openDump(new MemorySource(core, 'synthetic.vmcore'));
  const encoder = compressorEncoder(elf, codec, createCompressor(k, codec, PS));
  const selection = { maxPfn: COUNT, bitmap1: bitmap, bitmap2: bitmap, excludeZero: true };
  if (!flatten) {
    const sink = new MemorySink('out.kdump');
    await writeKdump(elf, selection, sink, { dumpLevel: 1, encoder });
    await sink.close();
    return sink.bytes().slice();
  }
  const stream = new MemorySequentialSink('out.flat');
  const flat = new FlattenedSink(stream);
  await writeKdump(elf, selection, flat, { dumpLevel: 1, encoder });
  await flat.close();
  return stream.bytes();
}

/** Every way of cutting the file's pages into tasks: one task, and tasks of a few runs with holes between them. */
const TASKS: PfnRun[][] = [
  [[0, COUNT]],
  [[0, 3], [5, 9]],
  [[10, 11], [12, 40], [41, 50]],
  [[88, 96]],
];

describe('StoredPages', () => {
  it.each([
    ['zlib', false],
    ['lzo', false],
    ['zstd', true],
    ['snappy', true],
  ] as const)('%s (flattened: %s): a compute worker decodes what readPhys reads', async (codec, flatten) => {
    const bytes = await kdumpBytes(codec, flatten);
    const source = blobSource(bytes, 'out');
    const dump = (flatten ? await readKdumpDump(await FlattenedSource.open(source)) : await readKdumpDump(source)) as KdumpDump;
    let zeroRefs = 0;
    for await (const { desc } of dump.descriptors()) if (desc.size === PS && desc.flags === 0 && desc.offset < (await dump.descriptor(COUNT - 1))!.offset) zeroRefs++;
    expect(zeroRefs, 'the file refers to its shared zero page').toBeGreaterThan(0);
    const compute = new PageCompute(k, PS, blobReader);
    for (const runs of TASKS) {
      const count = runs.reduce((n, [s, e]) => n + e - s, 0);
      const input = await taskPages(dump, runs, count);
      expect('descs' in input, 'the workers read the pages themselves').toBe(true);
      const got = await compute.encode(input, 'none', new Uint8Array(count).fill(1));
      expect(Buffer.from(got.data).equals(Buffer.from(await readRuns(dump, runs, count)))).toBe(true);
    }
  });

  it('reads each stored page once per task, the shared zero page too, in few extents', async () => {
    const dump = await readKdumpDump(blobSource(await kdumpBytes('zlib', false), 'out.kdump'));
    const input = await dump.storedPages([[0, COUNT]]);
    expect(input!.pages).toBe(COUNT);
    // The pages before the first zero page, the zero page (stored before them all), the pages after: five zero
    // pages, yet three extents.
    expect(input!.extents.length / 2).toBeLessThanOrEqual(3);
    const refs = new Set<number>();
    for (let i = 0; i < COUNT; i++) refs.add(input!.descs[4 * i + 3]!);
    expect(refs.size).toBeLessThan(COUNT);
  });

  it('a page not in the file, or a source workers cannot reach, is read in this thread instead', async () => {
    const bytes = await kdumpBytes('zlib', false);
    expect(await (await readKdumpDump(new MemorySource(bytes, 'no-ref'))).storedPages([[0, 4]])).toBeUndefined();
    const dump = await readKdumpDump(blobSource(bytes, 'out.kdump'));
    expect(await dump.storedPages([[0, COUNT + 1]])).toBeUndefined();
  });
});
