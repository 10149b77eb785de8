import * as Comlink from 'comlink';
import { VmsieveError, type ErrorCode } from '../errors.js';

/**
 * comlink's built-in `throw` handler sends only `name`, `message` and `stack`, so a `VmsieveError` would reach the
 * caller as a plain `Error` without its `code`. This replaces it with one that keeps `code` and `details` and rebuilds
 * a real `VmsieveError` on the receiving side. Both sides (the worker and whoever wraps it) must install it.
 *
 * Errors are sent as plain data, never as native `Error` objects (Firefox cannot structured-clone them, bug 1556604).
 */

/** What crosses the boundary for a thrown value. */
export type SerializedThrow =
  | { isError: true; value: SerializedError }
  | { isError: false; value: unknown };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  details?: Record<string, unknown>;
}

/** comlink wraps a thrown value as `{ value, [throwMarker]: 0 }`; the marker symbol is private, so reuse its test. */
interface Thrown {
  value: unknown;
}

let installed = false;

/** Turns a thrown value into cloneable data, keeping a VmsieveError's code and (cloneable) details. */
export function serializeThrown(value: unknown): SerializedThrow {
  if (value instanceof Error) {
    const out: SerializedError = { name: value.name, message: value.message, stack: value.stack };
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string') out.code = code;
    const details = (value as { details?: unknown }).details;
    if (details && typeof details === 'object') {
      try {
        out.details = structuredClone(details) as Record<string, unknown>;
      } catch {
        // Details that cannot be cloned (functions, handles) stay behind; the message says what happened.
      }
    }
    return { isError: true, value: out };
  }
  try {
    return { isError: false, value: structuredClone(value) };
  } catch {
    return { isError: true, value: { name: 'Error', message: String(value) } };
  }
}

/** Rebuilds the error on the receiving side: a `VmsieveError` when it had a code, else an `Error` of the same name. */
export function deserializeThrown(s: SerializedThrow): unknown {
  if (!s.isError) return s.value;
  const v = s.value;
  const err =
    v.code !== undefined && v.name === 'VmsieveError'
      ? new VmsieveError(v.code as ErrorCode, v.message, v.details)
      : Object.assign(new Error(v.message), { name: v.name }, v.code !== undefined ? { code: v.code } : {});
  if (v.stack) err.stack = v.stack;
  return err;
}

/** Installs the handler on this side of the boundary (idempotent). Call it in the worker and before `Comlink.wrap`. */
export function installErrorTransfer(): void {
  if (installed) return;
  const builtin = Comlink.transferHandlers.get('throw');
  if (!builtin) throw new Error('comlink has no built-in "throw" transfer handler to replace');
  Comlink.transferHandlers.set('throw', {
    canHandle: builtin.canHandle,
    serialize: (thrown: unknown) => [serializeThrown((thrown as Thrown).value), []],
    deserialize: (s: unknown) => {
      throw deserializeThrown(s as SerializedThrow);
    },
  } satisfies Comlink.TransferHandler<unknown, SerializedThrow>);
  installed = true;
}
