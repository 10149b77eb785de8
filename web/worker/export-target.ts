/// <reference lib="webworker" />
import { OpfsSyncSink, WritableStreamSink, type ByteSink } from '../../src/browser.js';

/** Where an export goes: a handle from the save dialog (FSA stream), or 'opfs' for browsers without one. */
export type ExportTarget = FileSystemFileHandle | 'opfs';

/** The OPFS folder that holds exports for browsers without a save dialog; emptied at the start of the next one. */
const OPFS_EXPORT_DIR = 'vmsieve-exports';

/** The sink for `target`, and the finished file to offer as a download (OPFS only). */
export async function exportSink(target: ExportTarget, name: string): Promise<{ sink: ByteSink; file: () => Promise<File | null> }> {
  if (target !== 'opfs') {
    const sink = await WritableStreamSink.create(target);
    return { sink, file: async () => null };
  }
  const root = await navigator.storage.getDirectory();
  // Earlier exports were offered as downloads already; drop them so browser storage does not fill up.
  await root.removeEntry(OPFS_EXPORT_DIR, { recursive: true }).catch(() => undefined);
  const dir = await root.getDirectoryHandle(OPFS_EXPORT_DIR, { create: true });
  const sink = await OpfsSyncSink.create(dir, name);
  return { sink, file: () => sink.handle.getFile() };
}
