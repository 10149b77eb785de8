import type { KernelExports } from './kernel-exports.js';

export type { KernelExports };

export async function instantiateKernels(module: WebAssembly.Module): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`wasm kernel aborted at ${line}:${column}`);
      },
    },
  });
  // The one place the exports get their type: kernel-exports.ts is generated from the same build.
  return instance.exports as unknown as KernelExports;
}

/** Byte view of wasm memory; re-create after any call that may grow memory. */
export function bytesAt(k: KernelExports, ptr: number, length: number): Uint8Array {
  return new Uint8Array(k.memory.buffer, ptr >>> 0, length);
}
