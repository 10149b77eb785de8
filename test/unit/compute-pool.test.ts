import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { CODECS } from '../../src/codecs/registry.js';
import { mapOrdered } from '../../src/workers/ordered.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';
import type { EncodedWindow } from '../../src/workers/page-compute.js';
import { localCompute } from '../../src/workers/local-compute.js';
import { spawnNodeCompute } from '../../src/workers/node-compute.js';
import type { ComputeHandle } from '../../src/workers/compute-api.js';
import { ComputePool } from '../../src/workers/pool.js';
import { transferringClient, workerFailure } from '../../src/workers/transfer-client.js';

const PAGE = 4096;

/** Windows with zero, text-like, random and repetitive pages, from a seeded generator. */
function windows(count: number, pagesEach: number): Uint8Array[] {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  return Array.from({ length: count }, (_, w) => {
    const buf = new Uint8Array(pagesEach * PAGE);
    for (let p = 0; p < pagesEach; p++) {
      const page = buf.subarray(p * PAGE, (p + 1) * PAGE);
      switch ((p + w) % 4) {
        case 0:
          break;
        case 1:
          page.set(new TextEncoder().encode(`window ${w} page ${p} `.repeat(200)).subarray(0, PAGE));
          break;
        case 2:
          for (let i = 0; i < PAGE; i++) page[i] = rnd();
          break;
        case 3:
          for (let i = 0; i < PAGE; i++) page[i] = (i * 7) & 0x3f;
      }
    }
    return buf;
  });
}

async function* asAsync<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

async function encodeAll(pool: ComputePool, input: Uint8Array[], codec: 'zlib' | 'lzo'): Promise<EncodedWindow[]> {
  const out: EncodedWindow[] = [];
  const mask = (w: Uint8Array) => new Uint8Array(w.length / PAGE).fill(1);
  for await (const r of mapOrdered(asAsync(input), pool.size * 2, (w) => pool.run((api) => api.encode(w.slice().buffer, codec, mask(w)))))
    out.push(r);
  return out;
}

describe('compute pool', () => {
  let module: WebAssembly.Module;
  let parallel: ComputePool;
  let single: ComputePool;
  beforeAll(async () => {
    module = await nodeWasmModule();
    parallel = await ComputePool.create([spawnNodeCompute(), spawnNodeCompute()], module, PAGE);
    single = await ComputePool.create([localCompute()], module, PAGE);
  });
  afterAll(async () => {
    await parallel?.close();
    await single?.close();
  });

  it('gives byte-identical results with two worker threads and with one in-thread instance', async () => {
    const input = windows(12, 64);
    for (const codec of ['zlib', 'lzo'] as const) {
      const a = await encodeAll(parallel, input, codec);
      const b = await encodeAll(single, input, codec);
      expect(a.length).toBe(12);
      a.forEach((r, i) => {
        expect(Buffer.from(r.data).equals(Buffer.from(b[i].data))).toBe(true);
        expect(Array.from(r.sizes)).toEqual(Array.from(b[i].sizes));
        expect(Array.from(r.zero)).toEqual(Array.from(b[i].zero));
      });
    }
  });

  it('flags zero pages, encodes every masked page and skips the rest; zlib pages inflate back', async () => {
    const [w] = windows(1, 8);
    const mask = Uint8Array.from([1, 1, 0, 1, 1, 1, 1, 0]);
    const r = await single.run((api) => api.encode(w.slice().buffer, 'zlib', mask));
    expect(Array.from(r.zero)).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
    let at = 0;
    for (let p = 0; p < 8; p++) {
      const word = r.sizes[p];
      const len = word & 0x7fffffff;
      if (!mask[p]) {
        expect(word).toBe(0);
        continue;
      }
      const stored = r.data.subarray(at, at + len);
      const page = word & 0x80000000 ? stored : inflateSync(stored);
      expect(Buffer.from(page).equals(Buffer.from(w.subarray(p * PAGE, (p + 1) * PAGE)))).toBe(true);
      at += len;
    }
    expect(at).toBe(r.data.length);
  });

  it('measures every codec in one pass', async () => {
    const [w] = windows(1, 16);
    const m = await parallel.run((api) => api.measure(w.slice().buffer, CODECS));
    for (const codec of CODECS) {
      const sizes = m.sizes[codec]!;
      expect(sizes.length).toBe(16);
      sizes.forEach((s, i) => (m.zero[i] ? expect(s).toBe(0) : expect(s & 0x7fffffff).toBeGreaterThan(0)));
    }
  });

  it('keeps a VmsieveError code across the worker boundary', async () => {
    const fresh = spawnNodeCompute();
    try {
      await expect(fresh.api.scanZero(new ArrayBuffer(PAGE))).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
    } finally {
      await fresh.terminate();
    }
  });
});

describe('closing a pool', () => {
  it('settles work in progress and work waiting for a worker', async () => {
    const never: ComputeHandle = {
      api: { init: async () => undefined, scanZero: () => new Promise(() => undefined), scanSecrets: () => new Promise(() => undefined), encode: () => new Promise(() => undefined), measure: () => new Promise(() => undefined), classify: () => new Promise(() => undefined) },
      terminate: () => undefined,
    };
    const pool = await ComputePool.create([never], await nodeWasmModule(), PAGE);
    const running = pool.run((api) => api.scanZero(new ArrayBuffer(PAGE)));
    const waiting = pool.run((api) => api.scanZero(new ArrayBuffer(PAGE)));
    await pool.close();
    await expect(running).rejects.toMatchObject({ code: 'E_CANCELLED' });
    await expect(waiting).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});

describe('a compute worker that fails', () => {
  const pending = () => new Promise<never>(() => undefined);
  const silent: ComputeHandle['api'] = { init: pending, scanZero: pending, scanSecrets: pending, encode: pending, measure: pending, classify: pending };

  it('settles its calls, in flight and later, with E_WORKER and the reason once the worker is reported dead', async () => {
    let die!: (why: string) => void;
    const api = transferringClient(silent, workerFailure('w-1', (fail) => (die = fail)));
    const inFlight = api.scanZero(new ArrayBuffer(PAGE));
    die('out of memory');
    await expect(inFlight).rejects.toMatchObject({ code: 'E_WORKER', message: 'the compute worker w-1 failed: out of memory' });
    await expect(api.encode({ extents: [] } as never, 'zlib', new Uint8Array())).rejects.toMatchObject({ code: 'E_WORKER' });
  });

  it('a pool whose workers do not answer within its deadline fails with E_WORKER and stops them', async () => {
    let stopped = 0;
    const handle: ComputeHandle = { api: silent, terminate: () => void stopped++ };
    await expect(ComputePool.create([handle, handle], await nodeWasmModule(), PAGE, 50)).rejects.toMatchObject({ code: 'E_WORKER' });
    expect(stopped).toBe(2);
  });
});
