import type { ExportTarget } from '../worker/dump-worker.js';

type SavePicker = (opts: { suggestedName?: string; id?: string }) => Promise<FileSystemFileHandle>;

/**
 * Where an export named `name` goes: the file the user picks in the save dialog, or the page's private storage (OPFS)
 * in a browser without one; null when the user closes the dialog.
 */
export async function pickSaveTarget(name: string): Promise<ExportTarget | null> {
  const picker = (window as unknown as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
  if (typeof picker !== 'function') return 'opfs';
  try {
    return await picker.call(window, { suggestedName: name, id: 'vmsieve-export' });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') return null;
    throw e;
  }
}
