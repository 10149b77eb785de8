/** The raw exports of build/wasm/vmsieve.wasm; every pointer is a byte offset into `memory`. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  arenaAlloc(bytes: number): number;
  scanZeroPages(window: number, pages: number, pageSize: number, out: number): number;
}

export async function instantiateKernels(module: WebAssembly.Module): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`wasm kernel aborted at ${line}:${column}`);
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}

/** Byte view of wasm memory; re-create after any call that may grow memory. */
export function bytesAt(k: KernelExports, ptr: number, length: number): Uint8Array {
  return new Uint8Array(k.memory.buffer, ptr >>> 0, length);
}
