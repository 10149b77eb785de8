// The writers against makedumpfile on real dumps, independent of our classifier: the page selection is
// read back from makedumpfile's own output at the same level (its bitmaps), then our writer runs over
// the same source. Uncompressed kdump and ELF output must be byte-identical; compressed output must have
// the same headers, bitmaps and descriptors and decompress to the same pages; real readers must accept it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompressor, type CodecId } from '../../src/codecs/registry.js';
import type { Dump } from '../../src/model/dump.js';
import { writeElf } from '../../src/formats/elf-out/write-elf.js';
import { FlattenedSink, restoreFlattened, sourceChunks } from '../../src/formats/flat/flattened.js';
import type { PageEncoder } from '../../src/formats/kdump/page-encoder.js';
import { readKdumpDump, type KdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { writeKdump } from '../../src/formats/kdump/write-kdump.js';
import { openDump } from '../../src/formats/open-dump.js';
import type { PageSelection } from '../../src/formats/selection.js';
import { NodeFileSink, NodeStreamSink } from '../../src/io/node-sink.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import type { ByteSink } from '../../src/io/sink.js';
import { instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import { cacheDir, realFixtures, realFixturesSkipReason, sharedDir } from '../helpers/fixtures.js';
import { compressorEncoder, nodeZlibEncoder } from '../helpers/in-thread-encoders.js';

const work = join(cacheDir, 'writer');
const mdfDir = join(work, 'makedumpfile');
const oursDir = join(work, 'ours');
const python = process.env.VMSIEVE_PYTHON ?? '/usr/bin/python3';
const verifyReaders = join(sharedDir, 'tools/verify_readers.py');
const normalizeTool = join(sharedDir, 'tools/vmcore-gen/elf-phdr-normalize.py');

const has = (cmd: string, args: string[] = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).error === undefined;
const makedumpfileOk = has('makedumpfile', ['-v']);
const crashOk = has('crash', ['--version']);
const readersOk = existsSync(python) && spawnSync(python, ['-c', 'import kdumpfile, drgn'], { stdio: 'ignore' }).status === 0 && existsSync(verifyReaders);
const skipReason =
  realFixturesSkipReason() ??
  (makedumpfileOk ? undefined : 'makedumpfile is not installed (apt-get install makedumpfile): no oracle for the writers') ??
  (existsSync(python) ? undefined : `${python} not found: needed to normalize the QEMU fixture for makedumpfile (set VMSIEVE_PYTHON)`);
if (skipReason) console.warn(`[writer-real] skipped: ${skipReason}`);
if (!crashOk) console.warn('[writer-real] crash not installed: the crash --osrelease checks are skipped');
if (!readersOk) console.warn(`[writer-real] ${python} cannot import kdumpfile and drgn (or verify_readers.py is missing): libkdumpfile/drgn checks are skipped`);

const fixtures = realFixtures();
const KDUMP = 'dev-kdump-288m-4l-kaslr';
const QEMU = 'dev-qemu-160m-4l-nokaslr';

/** The source makedumpfile can read: QEMU's ELF needs its program headers moved to offset 64. */
function sourcePath(name: string): string {
  const fx = fixtures.find((f) => f.name === name)!;
  if (name !== QEMU) return fx.vmcore;
  const out = join(work, `${name}.normalized.vmcore`);
  if (!existsSync(out)) {
    execFileSync(python, [normalizeTool, fx.vmcore, `${out}.tmp`]);
    renameSync(`${out}.tmp`, out);
  }
  return out;
}

/** makedumpfile's output for these flags (cached under .cache/writer; deterministic). */
function mdf(name: string, flags: string[], ext = 'kdump'): string {
  const out = join(mdfDir, `${name}${flags.join('')}.${ext}`);
  if (existsSync(out)) return out;
  const tmp = `${out}.tmp`;
  rmSync(tmp, { force: true });
  execFileSync('makedumpfile', [...flags, sourcePath(name), tmp], { stdio: 'ignore' });
  renameSync(tmp, out);
  return out;
}

async function open(path: string): Promise<Dump> {
  return openDump(await NodeFileSource.open(path));
}

async function openKdump(path: string): Promise<KdumpDump> {
  return readKdumpDump(await NodeFileSource.open(path));
}

async function selectionFrom(name: string, level: number): Promise<PageSelection> {
  const k = await openKdump(mdf(name, ['-d', String(level)]));
  await k.source.close?.();
  return k.selection((level & 1) === 1);
}

async function toFile<T>(path: string, write: (sink: ByteSink) => Promise<T>): Promise<T> {
  rmSync(path, { force: true });
  const sink = await NodeFileSink.create(path, { overwrite: true });
  try {
    const r = await write(sink);
    await sink.close();
    return r;
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Equal files, or a message naming the first differing byte. */
async function expectSameFile(ours: string, theirs: string): Promise<void> {
  const [a, b] = [statSync(ours).size, statSync(theirs).size];
  if (a === b && (await sha256(ours)) === (await sha256(theirs))) return;
  const x = readFileSync(ours);
  const y = readFileSync(theirs);
  let i = 0;
  while (i < Math.min(x.length, y.length) && x[i] === y[i]) i++;
  expect.fail(`${ours} (${a} bytes) differs from makedumpfile's ${theirs} (${b} bytes) first at byte ${i} (0x${i.toString(16)})`);
}

function dmesg(path: string): string {
  const out = join(oursDir, `${basename(path)}.dmesg`);
  rmSync(out, { force: true });
  execFileSync('makedumpfile', ['--dump-dmesg', path, out], { stdio: 'ignore' });
  return readFileSync(out, 'utf8');
}

let kernels: KernelExports | undefined;
type EncoderFor = (dump: Dump | KdumpDump) => PageEncoder;
async function wasmEncoder(codec: CodecId, pageSize: number): Promise<EncoderFor | undefined> {
  kernels ??= await instantiateKernels(await nodeWasmModule());
  const fn = `${codec}CompressPages` as keyof KernelExports;
  if (typeof kernels[fn] !== 'function') return undefined;
  const compressor = createCompressor(kernels, codec, pageSize);
  return (dump) => compressorEncoder(dump, codec, compressor);
}

const d = skipReason ? describe.skip : describe;

d('writers vs makedumpfile 1.7 on real dumps', () => {
  beforeAll(() => {
    mkdirSync(mdfDir, { recursive: true });
    mkdirSync(oursDir, { recursive: true });
  });
  // Our outputs are large (~1 GB in all); makedumpfile's stay cached (deterministic, reused next run).
  afterAll(() => {
    if (!process.env.VMSIEVE_KEEP_OUTPUTS) rmSync(oursDir, { recursive: true, force: true });
  });

  describe('kdump-compressed, no compression: byte-identical', () => {
    const cases: [string, number][] = [
      [QEMU, 0],
      [QEMU, 1],
      [QEMU, 31],
      [KDUMP, 31],
    ];
    it.each(cases)('%s -d %i', async (name, level) => {
      const selection = await selectionFrom(name, level);
      const dump = await open(sourcePath(name));
      const out = join(oursDir, `${name}-d${level}.kdump`);
      const r = await toFile(out, (sink) => writeKdump(dump, selection, sink, { dumpLevel: level }));
      await dump.source.close?.();
      expect(r.fileSize).toBe(statSync(out).size);
      await expectSameFile(out, mdf(name, ['-d', String(level)]));
    });

    it('re-filtering: our reader on makedumpfile -d 0 output, written at -d 31, equals makedumpfile -d 31 of the vmcore', async () => {
      const selection = await selectionFrom(QEMU, 31);
      const input = await openKdump(mdf(QEMU, ['-d', '0']));
      const out = join(oursDir, `${QEMU}-refilter-d31.kdump`);
      await toFile(out, (sink) => writeKdump(input, selection, sink, { dumpLevel: 31 }));
      await input.source.close?.();
      await expectSameFile(out, mdf(QEMU, ['-d', '31']));
    });
  });

  describe('ELF (-E), -d 31: byte-identical', () => {
    it.each([QEMU, KDUMP])('%s', async (name) => {
      // makedumpfile's kdump bitmaps at -d 31; the writer finds the zero pages itself, as -E does.
      const selection = await selectionFrom(name, 31);
      const dump = await open(sourcePath(name));
      const out = join(oursDir, `${name}-E-d31.elf`);
      const r = await toFile(out, (sink) => writeElf(dump, selection, sink));
      await dump.source.close?.();
      expect(r.zeroPages).toBe(fixtures.find((f) => f.name === name)!.oracle.counts_by_level['31'].zero_pages);
      await expectSameFile(out, mdf(name, ['-E', '-d', '31'], 'elf'));
      // Our ELF reader accepts it: one PT_LOAD per segment written.
      const back = await open(out);
      expect(back.loads.length).toBe(r.loads);
      await back.source.close?.();
    });
    it("QEMU's own ELF (program headers at 192, section headers, e_ehsize 8), which makedumpfile 1.7.2 cannot read: same bytes as makedumpfile on the normalized copy", async () => {
      const selection = await selectionFrom(QEMU, 31);
      const dump = await open(fixtures.find((f) => f.name === QEMU)!.vmcore);
      const out = join(oursDir, `${QEMU}-original-E-d31.elf`);
      await toFile(out, (sink) => writeElf(dump, selection, sink));
      await dump.source.close?.();
      await expectSameFile(out, mdf(QEMU, ['-E', '-d', '31'], 'elf'));
    });
  });

  describe('compressed kdump (-d 31): same headers, bitmaps and descriptors; same pages; readers accept it', () => {
    const name = KDUMP;
    /** Our compressed outputs, checked together by libkdumpfile and drgn at the end (one pass over the source). */
    const forReaders: { out: string; numDumpable: number }[] = [];

    async function compressed(label: string, encoderFor: EncoderFor, flag?: string) {
      const selection = await selectionFrom(name, 31);
      const dump = await open(sourcePath(name));
      const encoder = encoderFor(dump);
      const out = join(oursDir, `${name}-d31-${label.replace(/\W+/g, '_')}.kdump`);
      const r = await toFile(out, (sink) => writeKdump(dump, selection, sink, { dumpLevel: 31, encoder }));
      await dump.source.close?.();
      if (!flag) return { out, r };
      const ref = mdf(name, [flag, '-d', '31']);
      const [ours, theirs] = [await openKdump(out), await openKdump(ref)];
      const a = readFileSync(out);
      const b = readFileSync(ref);
      const ps = 4096;
      // Block 0 (disk_dump_header incl. status), the sub header and notes, both bitmaps: the same bytes.
      expect(a.subarray(0, ps).equals(b.subarray(0, ps))).toBe(true);
      expect(ours.descTableOffset).toBe(theirs.descTableOffset);
      expect(a.subarray(ps, ours.descTableOffset).equals(b.subarray(ps, theirs.descTableOffset))).toBe(true);
      expect(ours.numDumpable).toBe(theirs.numDumpable);
      // Every descriptor: zero pages share the first data page in both; every page decodes to the same bytes.
      const dataStart = ours.descTableOffset + 24 * ours.numDumpable;
      const da = new DataView(a.buffer, a.byteOffset + ours.descTableOffset, 24 * ours.numDumpable);
      const db = new DataView(b.buffer, b.byteOffset + theirs.descTableOffset, 24 * theirs.numDumpable);
      const page = (buf: Buffer, v: DataView, i: number) => {
        const off = Number(v.getBigInt64(i * 24, true));
        const stored = buf.subarray(off, off + v.getUint32(i * 24 + 8, true));
        return v.getUint32(i * 24 + 12, true) ? inflateSync(stored) : stored;
      };
      let decoded = 0;
      let compressedPages = 0;
      for (let i = 0; i < ours.numDumpable; i++) {
        const flags = da.getUint32(i * 24 + 12, true);
        expect(Number(da.getBigInt64(i * 24, true)) === dataStart).toBe(Number(db.getBigInt64(i * 24, true)) === dataStart);
        expect(flags === 0 || flags === theirs.header.status).toBe(true);
        if (flags) compressedPages++;
        if (encoder.codec === 'zlib') {
          if (!page(a, da, i).equals(page(b, db, i))) expect.fail(`descriptor ${i} decodes differently`);
          decoded++;
        }
      }
      expect(compressedPages).toBe(r.compressedPages);
      if (encoder.codec === 'zlib') expect(decoded).toBe(ours.numDumpable);
      console.log(`[writer-real] ${label}: ${r.numDumpable} descriptors (${r.zeroPages} zero, ${r.compressedPages} compressed, ${r.rawPages} raw), ${a.length} bytes vs makedumpfile ${flag} ${b.length}; byte-identical: ${a.equals(b)}`);
      await ours.source.close?.();
      await theirs.source.close?.();
      return { out, r };
    }

    it('zlib through node:zlib deflate level 1 (the stand-in encoder)', async () => {
      await compressed('zlib node', nodeZlibEncoder, '-c');
    });

    it.each([
      ['zlib', '-c'],
      ['lzo', '-l'],
    ] as const)('%s (AssemblyScript): headers, bitmaps, descriptors; makedumpfile --dump-dmesg and crash read it', async (codec, flag) => {
      const encoder = await wasmEncoder(codec, 4096);
      if (!encoder) return void console.warn(`[writer-real] ${codec}: codec not in build/wasm/vmsieve.wasm yet, skipped`);
      const { out, r } = await compressed(`${codec} wasm`, encoder, flag);
      forReaders.push({ out, numDumpable: r.numDumpable });
      expect(dmesg(out)).toBe(dmesg(sourcePath(name)));
      if (crashOk) expect(spawnSync('crash', ['--osrelease', out], { encoding: 'utf8' }).stdout.trim()).toBe('6.1.0-56-amd64');
    });

    it.each(['snappy', 'zstd'] as const)('%s (AssemblyScript): written (checked by libkdumpfile/drgn below)', async (codec) => {
      const encoder = await wasmEncoder(codec, 4096);
      if (!encoder) return void console.warn(`[writer-real] ${codec}: codec not in build/wasm/vmsieve.wasm yet, skipped`);
      const { out, r } = await compressed(`${codec} wasm`, encoder);
      expect(r.compressedPages).toBeGreaterThan(0);
      forReaders.push({ out, numDumpable: r.numDumpable });
    });

    it('libkdumpfile and drgn read every kept page of each compressed output back identical to the vmcore', () => {
      if (!readersOk) return void console.warn('[writer-real] libkdumpfile/drgn missing: skipped');
      if (forReaders.length === 0) return;
      const v = execFileSync(python, [verifyReaders, sourcePath(name), ...forReaders.map((f) => f.out)], { encoding: 'utf8' });
      for (const { out, numDumpable } of forReaders) {
        const part = v.slice(v.indexOf(`== ${out}:`)).split('\n== ')[0]!;
        expect(part, out).toMatch(/release=6\.1\.0-56-amd64/);
        // Every dumpable pfn (zero pages included: they read back from the shared zero page) is identical.
        expect(part, out).toMatch(new RegExp(`libkdumpfile: identical=${numDumpable} differing=0 `));
        expect(part, out).toMatch(new RegExp(`drgn: flags=\\S+ identical=${numDumpable} differing=0 `));
      }
    });
  });

  describe('flattened (-F / -R)', () => {
    it('our -F stream, restored by makedumpfile -R, equals our normal output (and makedumpfile -d 31)', async () => {
      const name = QEMU;
      const selection = await selectionFrom(name, 31);
      const dump = await open(sourcePath(name));
      const flat = join(oursDir, `${name}-F-d31.flat`);
      const sink = new FlattenedSink(new NodeStreamSink(createWriteStream(flat), flat));
      await writeKdump(dump, selection, sink, { dumpLevel: 31 });
      await sink.close();
      await dump.source.close?.();
      const restored = join(oursDir, `${name}-R-d31.kdump`);
      rmSync(restored, { force: true });
      execFileSync('makedumpfile', ['-R', restored], { input: readFileSync(flat), stdio: ['pipe', 'ignore', 'ignore'] });
      await expectSameFile(restored, mdf(name, ['-d', '31']));
      // crash reads the flattened stream directly.
      if (crashOk) expect(spawnSync('crash', ['--osrelease', flat], { encoding: 'utf8' }).stdout.trim()).toBe('6.1.0-56-amd64');
    });

    it("our -R restores makedumpfile's -F stream to its normal output", async () => {
      const name = QEMU;
      const flat = join(mdfDir, `${name}-F-c-d31.flat`);
      if (!existsSync(flat)) {
        const tmp = `${flat}.tmp`;
        execFileSync('sh', ['-c', `makedumpfile -F -c -d 31 "$1" > "$2"`, 'sh', sourcePath(name), tmp], { stdio: 'ignore' });
        renameSync(tmp, flat);
      }
      const source = await NodeFileSource.open(flat);
      const out = join(oursDir, `${name}-ourR-c-d31.kdump`);
      const r = await toFile(out, (sink) => restoreFlattened(sourceChunks(source), sink, flat));
      await source.close();
      expect(r.records).toBeGreaterThan(4);
      await expectSameFile(out, mdf(name, ['-c', '-d', '31']));
    });
  });
});

