/// <reference lib="webworker" />
import { InOrderSink, OpfsSyncSink, WritableStreamSink, type ByteSink } from '../../src/browser.js';
import { PRIVATE_EXPORTS_DIR } from '../lib/private-exports.js';
import { DownloadPortSink } from './download-port-sink.js';

/**
 * Where an export goes: a handle from the save dialog (FSA stream); a download the service worker streams from the
 * port (browsers without a save dialog); or 'opfs', the page's private storage, where it cannot stream.
 */
export type ExportTarget = FileSystemFileHandle | { download: MessagePort } | 'opfs';

/** The sink for `target`, and the finished file to offer as a download (OPFS only). */
export async function exportSink(target: ExportTarget, name: string): Promise<{ sink: ByteSink; file: () => Promise<File | null> }> {
  if (target === 'opfs') {
    const root = await navigator.storage.getDirectory();
    // Earlier exports were offered as downloads already; drop them so browser storage does not fill up.
    await root.removeEntry(PRIVATE_EXPORTS_DIR, { recursive: true }).catch(() => undefined);
    const dir = await root.getDirectoryHandle(PRIVATE_EXPORTS_DIR, { create: true });
    const sink = await OpfsSyncSink.create(dir, name);
    return { sink, file: () => sink.handle.getFile() };
  }
  const sink = 'download' in target ? new InOrderSink(new DownloadPortSink(target.download, name)) : await WritableStreamSink.create(target);
  return { sink, file: async () => null };
}
