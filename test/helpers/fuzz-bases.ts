import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateVmcore } from '../../fixtures/gen/generate.js';
import type { CodecId } from '../../src/codecs/registry.js';
import { FlattenedSink } from '../../src/formats/flat/flattened.js';
import { openDump } from '../../src/formats/open-dump.js';
import type { ByteSink } from '../../src/io/sink.js';
import { MemorySequentialSink, MemorySink } from '../../src/io/sink.js';
import { MemorySource } from '../../src/io/source.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { exportDump, type ExportOptions } from '../../src/pipeline/export.js';
import type { KernelExports } from '../../src/wasm/kernels.js';
import { localCompute } from '../../src/workers/local-compute.js';
import { ComputePool } from '../../src/workers/pool.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';

export interface FuzzBases {
  /** A generator-made ELF vmcore (kexec layout, 6.1 kernel, printk ring, KASLR). */
  elf: Uint8Array;
  /** Our writer's -d 31 kdump-compressed file of it, pages raw. */
  kdumpRaw: Uint8Array;
  /** The same, zlib pages. */
  kdumpZlib: Uint8Array;
  /** The same -d 31 zlib dump in the flattened format (-F). */
  flat: Uint8Array;
}

/** `elf` written as a -d 31 kdump-compressed file with `codec` (as the CLI's -c, -l, -p, -z write it). */
export async function kdumpWithCodec(elf: Uint8Array, kernels: KernelExports, codec: CodecId): Promise<Uint8Array> {
  const pool = await ComputePool.create([localCompute()], await nodeWasmModule(), 4096);
  try {
    const dump = await openDump(new MemorySource(elf, 'base.vmcore'));
    const sink = new MemorySink();
    await exportDump({ dump, km: KernelMemory.open(dump), kernels }, sink, { level: 31, format: 'kdump', codec, pool });
    return sink.bytes().slice();
  } finally {
    await pool.close();
  }
}

/** Small real-shaped dumps of every input format, made from one generated vmcore; nothing stays on disk. */
export async function makeFuzzBases(kernels: KernelExports, memoryMiB = 32): Promise<FuzzBases> {
  const dir = mkdtempSync(join(tmpdir(), 'vmsieve-fuzz-'));
  let elf: Uint8Array;
  try {
    await generateVmcore(join(dir, 'base.vmcore'), { memoryMiB, seed: 7 });
    elf = new Uint8Array(readFileSync(join(dir, 'base.vmcore')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pool = await ComputePool.create([localCompute()], await nodeWasmModule(), 4096);
  try {
    const write = async (sink: ByteSink, o: Omit<ExportOptions, 'level' | 'format'>) => {
      const dump = await openDump(new MemorySource(elf, 'base.vmcore'));
      await exportDump({ dump, km: KernelMemory.open(dump), kernels }, sink, { level: 31, format: 'kdump', ...o });
    };
    const raw = new MemorySink();
    await write(raw, {});
    const zlib = new MemorySink();
    await write(zlib, { codec: 'zlib', pool });
    const stream = new MemorySequentialSink();
    await write(new FlattenedSink(stream), { codec: 'zlib', pool });
    return { elf, kdumpRaw: raw.bytes().slice(), kdumpZlib: zlib.bytes().slice(), flat: stream.bytes() };
  } finally {
    await pool.close();
  }
}
