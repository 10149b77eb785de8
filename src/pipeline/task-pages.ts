import type { Dump } from '../model/dump.js';
import { pageExtents, readRuns, type PfnRun } from '../model/page-extents.js';
import type { PagesInput } from '../workers/page-compute.js';

/**
 * A compute task's pages: the extents the worker reads itself when it can reach the dump, else the pages read here
 * (a kdump-compressed input, whose pages need decompressing) in a buffer of their own, to be transferred.
 */
export async function taskPages(dump: Dump, runs: readonly PfnRun[], count: number): Promise<PagesInput> {
  const direct = pageExtents(dump, runs);
  if (direct) return direct;
  const pages = await readRuns(dump, runs, count);
  return (pages.byteOffset === 0 && pages.byteLength === pages.buffer.byteLength ? pages : pages.slice()).buffer as ArrayBuffer;
}
