import type { CodecId } from '../codecs/registry.js';
import type { EncodedWindow, MeasuredWindow } from './page-compute.js';

/** What a compute worker offers over comlink. Windows arrive as transferred ArrayBuffers; results go back transferred. */
export interface ComputeApi {
  init(module: WebAssembly.Module, pageSize: number): Promise<void>;
  scanZero(window: ArrayBuffer): Promise<Uint8Array>;
  /** Compresses the pages whose mask byte is 1; with skipZero, all-zero pages are left out too (size word 0). */
  encode(window: ArrayBuffer, codec: CodecId | 'none', encodeMask: Uint8Array, skipZero?: boolean): Promise<EncodedWindow>;
  measure(window: ArrayBuffer, codecs: readonly CodecId[]): Promise<MeasuredWindow>;
}

/** A compute worker as the pool holds it: its API plus a hard stop. */
export interface ComputeHandle {
  api: ComputeApi;
  terminate(): Promise<void> | void;
}
