import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

let cached: Promise<WebAssembly.Module> | undefined;

/** Compiles build/wasm/vmsieve.wasm once per process (works from src/ under vitest and from build/lib/). */
export function nodeWasmModule(): Promise<WebAssembly.Module> {
  cached ??= readFile(fileURLToPath(new URL('../../wasm/vmsieve.wasm', import.meta.url)))
    .catch(() => readFile(fileURLToPath(new URL('../../build/wasm/vmsieve.wasm', import.meta.url))))
    .then((bytes) => WebAssembly.compile(bytes));
  return cached;
}
