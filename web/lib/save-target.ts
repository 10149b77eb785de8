import type { ExportTarget } from '../worker/dump-worker.js';
import { startStreamedDownload } from './streamed-download.js';

type SavePicker = (opts: { suggestedName?: string; id?: string }) => Promise<FileSystemFileHandle>;

/** How an export is saved: to the file picked in the save dialog, streamed to the downloads, or into private storage first. */
export type SavedAs = 'file' | 'download' | 'private';

export interface SaveTarget {
  target: ExportTarget;
  savedAs: SavedAs;
  /** Called once the export has settled. */
  end(): void;
}

/**
 * Where an export named `name` goes: the file the user picks in the save dialog; in a browser without one, a download
 * the service worker streams when it can (`stream`: the writer can write this output front to back) or else the page's
 * private storage (OPFS). null when the user closes the dialog.
 */
export async function pickSaveTarget(name: string, stream: boolean): Promise<SaveTarget | null> {
  const picker = (window as unknown as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
  if (typeof picker !== 'function') {
    const download = stream ? startStreamedDownload(name) : null;
    if (download) return { target: { download: download.port }, savedAs: 'download', end: download.end };
    return { target: 'opfs', savedAs: 'private', end: () => undefined };
  }
  try {
    return { target: await picker.call(window, { suggestedName: name, id: 'vmsieve-export' }), savedAs: 'file', end: () => undefined };
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') return null;
    throw e;
  }
}
