import { createCompressor, type PageCompressor } from '../../src/codecs/registry.js';
import { instantiateKernels } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';

/** The AssemblyScript zlib compressor on a fresh kernel instance of its own. */
export async function nodeZlibPageCompressor(pageSize: number, maxPages = 1024): Promise<PageCompressor> {
  return createCompressor(await instantiateKernels(await nodeWasmModule()), 'zlib', pageSize, maxPages);
}
