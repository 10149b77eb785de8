export type ErrorCode =
  | 'E_EMPTY'
  | 'E_TRUNCATED'
  | 'E_NOT_ELF'
  | 'E_UNKNOWN_FORMAT'
  | 'E_NOT_CORE'
  | 'E_ELF_CLASS'
  | 'E_ELF_ENDIAN'
  | 'E_ELF_MACHINE'
  | 'E_BAD_HEADER'
  | 'E_SEGMENT_PAST_EOF'
  | 'E_NO_LOAD'
  | 'E_NO_VMCOREINFO'
  | 'E_BAD_VMCOREINFO'
  | 'E_ABSURD_SIZE'
  | 'E_NOT_IN_DUMP'
  | 'E_TRANSLATE'
  | 'E_USAGE'
  | 'E_IO'
  | 'E_EXISTS'
  | 'E_CANCELLED'
  | 'E_UNSUPPORTED'
  | 'E_SPLIT_SET'
  | 'E_CORRUPT'
  | 'E_WORKER';

/** Every failure the library reports on purpose carries a stable code the UI and CLI can act on. */
export class VmsieveError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'VmsieveError';
    this.code = code;
    this.details = details;
  }
}

export function isVmsieveError(e: unknown): e is VmsieveError {
  return e instanceof VmsieveError;
}
