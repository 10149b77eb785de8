/// <reference lib="webworker" />
/**
 * The library in a dedicated worker: the page hands over a File (structured-cloned, still disk-backed) and gets
 * plain DumpInfo back. Only headers and notes are read here; no byte of the dump ever reaches the UI thread.
 */
import * as Comlink from 'comlink';
import type { DumpInfo } from '../../src/api-types.js';
import type { Dump } from '../../src/formats/dump.js';
import { openDump } from '../../src/formats/open-dump.js';
import { describeDump } from '../../src/info/dump-info.js';
import { BlobSource } from '../../src/io/blob-source.js';
import { installErrorTransfer } from '../../src/workers/comlink-errors.js';

installErrorTransfer();

let current: Dump | undefined;

const api = {
  /** Detects the format, reads the structure and describes the dump. Throws VmsieveError (with `code`) on bad input. */
  async openFile(file: File): Promise<DumpInfo> {
    current = undefined;
    const dump = await openDump(new BlobSource(file, file.name));
    const info = await describeDump(dump);
    current = dump;
    return info;
  },
  /** Forgets the open dump (the File stays owned by the page). */
  close(): void {
    current = undefined;
  },
  /** Whether a dump is open; for tests and future steps (filter, export) that work on it. */
  hasDump(): boolean {
    return current !== undefined;
  },
};

export type DumpWorkerApi = typeof api;

Comlink.expose(api);
