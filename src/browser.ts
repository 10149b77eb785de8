/**
 * vmsieve for the browser (through a bundler): open a File or Blob where it is — nothing is uploaded — then describe,
 * classify, analyse, export it to OPFS or a File System Access handle, or read its kernel log. Compute runs in module
 * Web Workers the bundler emits; the wasm kernels are fetched from the same origin. Best called from a worker: reads
 * and the writing of an export run on the calling thread.
 */
import { PACKAGED_WASM } from '#wasm-location';
import { isVmsieveError, VmsieveError } from './errors.js';
import { blobReader } from './io/blob-reader.js';
import { OpfsSyncSink, WritableStreamSink } from './io/browser-sinks.js';
import { BlobSource } from './io/blob-source.js';
import { ReadAheadSource } from './io/read-ahead-source.js';
import { Vmcore, type Platform } from './session/vmcore.js';
import { browserThreads, spawnBrowserCompute } from './workers/browser-compute.js';
import { localCompute } from './workers/local-compute.js';
import { ComputePool } from './workers/pool.js';

export * from './shared-exports.js';
/** Sinks a browser writes to: OPFS and a File System Access stream. */
export { OpfsSyncSink, WritableStreamSink } from './io/browser-sinks.js';
export { browserThreads } from './workers/browser-compute.js';
/** Comlink passes a VmsieveError's code across a worker boundary once this is installed on both sides. */
export { installErrorTransfer } from './workers/comlink-errors.js';
/** What the page draws: class and level views, cut by the session, read here. */
export { bucketCounts, bucketPfns, classOverview, OVERVIEW_CLASS_COUNT, OVERVIEW_CLASSES, type ClassOverview, type OverviewClass } from './filter/class-overview.js';
export { DROPPED, keptAndDropped, LACKING_SLOT, LEVEL_SLOTS, levelBase, levelView, NOT_IN_DUMP_SLOT, pagesPerBucketFor, type LevelBase, type LevelSource, type LevelView } from './filter/level-overview.js';

/** The compiled kernels, or where to fetch them from (default: the wasm file shipped beside this module). */
export type WasmInput = WebAssembly.Module | URL | string;

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** Fetches and compiles the wasm kernels once per URL (same origin: the page's CSP needs only connect-src 'self'). */
function browserWasmModule(wasm: WasmInput = PACKAGED_WASM): Promise<WebAssembly.Module> {
  if (wasm instanceof WebAssembly.Module) return Promise.resolve(wasm);
  const url = String(wasm);
  let module = compiled.get(url);
  if (!module) {
    module = (async () => {
      const res = await fetch(url);
      if (!res.ok) throw new VmsieveError('E_IO', `could not load the compute kernels (${url}: HTTP ${res.status})`);
      return typeof WebAssembly.compileStreaming === 'function' && res.headers.get('content-type')?.startsWith('application/wasm')
        ? WebAssembly.compileStreaming(res)
        : WebAssembly.compile(await res.arrayBuffer());
    })();
    compiled.set(url, module);
    module.catch(() => compiled.delete(url));
  }
  return module;
}

/** How long the compute workers get to start before the work runs on the calling thread instead. */
const WORKERS_START_MS = 20_000;

/**
 * Module Web Workers, one per logical core unless told, each instantiating the kernels compiled once here. Where they
 * cannot start (a browser that refuses nested workers or a cloned module), the work runs on the calling thread:
 * slower, and `onWorkersFailed` is told why.
 */
export function browserPlatform(wasm?: WasmInput, onWorkersFailed?: (e: VmsieveError) => void): Platform {
  return {
    wasmModule: () => browserWasmModule(wasm),
    computePool: async (pageSize, threads) => {
      const module = await browserWasmModule(wasm);
      const workers = Array.from({ length: browserThreads(threads) }, (_, i) => spawnBrowserCompute(`vmsieve-compute-${i}`));
      try {
        return await ComputePool.create(workers, module, pageSize, WORKERS_START_MS);
      } catch (e) {
        if (!isVmsieveError(e) || e.code !== 'E_WORKER') throw e;
        onWorkersFailed?.(e);
        return ComputePool.create([localCompute(blobReader)], module, pageSize);
      }
    },
  };
}

export interface OpenBrowserOptions {
  /** The wasm kernels, if the bundler puts them elsewhere (e.g. Vite's `import url from 'vmsieve/vmsieve.wasm?url'`). */
  wasm?: WasmInput;
  /** Shown in messages; default the File's name. */
  name?: string;
  /** Told when the compute workers could not start and a job runs on the calling thread instead. */
  onWorkersFailed?: (e: VmsieveError) => void;
}

/**
 * Opens a File or Blob as a vmcore (ELF, kdump-compressed or flattened), or the Files of one makedumpfile --split
 * set; only the bytes asked for are read. Throws a VmsieveError (E_TRUNCATED, E_NOT_ELF, E_SPLIT_SET, …) when it
 * cannot be read as a dump.
 */
export function openVmcore(files: Blob | readonly Blob[], opts: OpenBrowserOptions = {}): Promise<Vmcore> {
  const list = files instanceof Blob ? [files] : files;
  // Blob reads cost a round trip each: runs of small forward reads are served from read-ahead windows.
  const sources = list.map((f) => new ReadAheadSource(new BlobSource(f, list.length === 1 ? opts.name : undefined)));
  return Vmcore.open(sources, browserPlatform(opts.wasm, opts.onWorkersFailed));
}

/** A sink writing `name` into the origin-private file system (dedicated workers only); `sink.handle.getFile()` after. */
export async function opfsSink(name: string, dir?: FileSystemDirectoryHandle): Promise<OpfsSyncSink> {
  return OpfsSyncSink.create(dir ?? (await navigator.storage.getDirectory()), name);
}

/** A sink writing to a file the user chose (File System Access: `showSaveFilePicker()`). */
export function fileHandleSink(handle: FileSystemFileHandle): Promise<WritableStreamSink> {
  return WritableStreamSink.create(handle);
}
