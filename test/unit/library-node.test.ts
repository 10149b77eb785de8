import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { PROFILE_6_1 } from '../../fixtures/gen/profile.js';
import { FlattenedSink, isVmsieveError, NodeFileSink, NodeStreamSink, openVmcore, restoreFlattened, type ErrorCode } from '../../src/index.js';
import { vmsieve } from '../helpers/cli.js';
import { sampleCore } from '../helpers/elf-builder.js';
import { repoRoot } from '../helpers/fixtures.js';

/** The page's sample dump (npm run build:web); the workers run build/lib (npm run build:lib). */
const SAMPLE = join(repoRoot, 'web/public/sample.vmcore');
const WORKER = join(repoRoot, 'build/lib/workers/node-compute-worker.js');
const ready = existsSync(SAMPLE) && existsSync(WORKER);
if (!ready) console.warn('[library-node] web/public/sample.vmcore or build/lib is missing (npm run build:web): the tests on the sample are skipped');

const dir = mkdtempSync(join(tmpdir(), 'vmsieve-library-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isVmsieveError(e) ? e.code : `not a VmsieveError: ${String(e)}`;
  }
}

describe('the Node library (src/index.ts)', () => {
  test('bad input is a VmsieveError with its code', async () => {
    const short = join(dir, 'short.vmcore');
    writeFileSync(short, sampleCore().subarray(0, 40));
    expect(await codeOf(openVmcore(short))).toBe('E_TRUNCATED');
    expect(await codeOf(openVmcore(join(dir, 'absent.vmcore')))).toBe('E_IO');
  });

  test('a file descriptor the caller keeps: read, and still open after close()', async () => {
    const path = join(dir, 'small.vmcore');
    writeFileSync(path, sampleCore());
    const fd = openSync(path, 'r');
    try {
      const vmcore = await openVmcore(fd);
      expect((await vmcore.info()).release).toBe('6.1.0-sample');
      await vmcore.close();
      expect(fstatSync(fd).size).toBe(sampleCore().length);
    } finally {
      closeSync(fd);
    }
  });

  test.skipIf(!ready)('classify, analyse, export to a file and to a stream (flattened), dmesg and crash context on the sample', async () => {
    const vmcore = await openVmcore(SAMPLE);
    try {
      expect((await vmcore.info()).release).toBe(PROFILE_6_1.osrelease);
      const classified = await vmcore.classify({ levels: [1, 31], threads: 2 });
      const r31 = classified.report(31);
      for (const level of [1, 31]) {
        const { original, zero, cache, cachePrivate, user, free, hwpoison, offline, remaining } = classified.report(level);
        expect({ original, zero, cache, cachePrivate, user, free, hwpoison, offline, remaining }, `-d ${level}`).toEqual(JSON.parse(vmsieve(['--dry-run', '--json', '-d', String(level), SAMPLE]).stdout).pages);
      }
      expect(() => classified.report(3)).toThrow(/zero pages were not scanned for level 3/);

      const analysed = await vmcore.analyse({ threads: 2, measureEvery: 64 });
      expect(analysed.levels[31].pages).toBe(r31.remaining);

      const out = join(dir, 'out.kdump');
      const progress: number[] = [];
      const exported = await vmcore.export(await NodeFileSink.create(out), { level: 31, threads: 2, onProgress: (p) => progress.push(p.doneBytes) });
      expect(exported.report.remaining).toBe(r31.remaining);
      expect(readFileSync(out).length).toBe(exported.fileSize);
      expect(exported.fileSize).toBe(analysed.levels[31].bytes['kdump-none']);
      expect(progress.length).toBeGreaterThan(0);

      // The flattened format on a stream, and back: the same file.
      const stream = new PassThrough();
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      await vmcore.export(new FlattenedSink(new NodeStreamSink(stream, 'pipe', true)), { level: 31 });
      const restored = join(dir, 'restored.kdump');
      const sink = await NodeFileSink.create(restored);
      await restoreFlattened((async function* () {
        yield* chunks;
      })(), sink);
      await sink.close();
      expect(readFileSync(restored).equals(readFileSync(out))).toBe(true);

      const log = await vmcore.dmesg();
      expect(log.records.length).toBeGreaterThan(0);
      expect((await vmcore.crashContext()).kind).not.toBe('none');
    } finally {
      await vmcore.close();
    }
  });

  test.skipIf(!ready)('an aborted export is E_CANCELLED and leaves no file behind', async () => {
    const vmcore = await openVmcore(SAMPLE);
    try {
      const controller = new AbortController();
      controller.abort();
      const target = join(dir, 'cancelled.kdump');
      expect(await codeOf(vmcore.export(await NodeFileSink.create(target), { level: 31, codec: 'lzo', threads: 1, signal: controller.signal }))).toBe('E_CANCELLED');
      expect(readdirSync(dir).filter((f) => f.startsWith('cancelled'))).toEqual([]);
      expect(await codeOf(vmcore.export(await NodeFileSink.create(target), { level: 32 }))).toBe('E_USAGE');
      expect(readdirSync(dir).filter((f) => f.startsWith('cancelled'))).toEqual([]);
    } finally {
      await vmcore.close();
    }
  });
});
