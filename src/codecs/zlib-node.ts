import { instantiateKernels } from '../wasm/kernels.js';
import { nodeWasmModule } from '../wasm/node-module.js';
import { ZlibPageCompressor, type ZlibKernelExports } from './zlib.js';

/** Node convenience (its own module, so browser bundles of zlib.ts never see node:fs): a compressor on a fresh instance. */
export async function nodeZlibPageCompressor(pageSize: number, maxPages = 1024): Promise<ZlibPageCompressor> {
  const k = (await instantiateKernels(await nodeWasmModule())) as unknown as ZlibKernelExports;
  return new ZlibPageCompressor(k, pageSize, maxPages);
}
