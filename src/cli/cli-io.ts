import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Binary standard output, for -F. */
  stdoutStream?: Writable;
  /** Binary standard input, for -R. */
  stdinStream?: Readable;
  /** Aborted on SIGINT/SIGTERM: long work stops and leaves no complete-looking file. */
  signal?: AbortSignal;
}
