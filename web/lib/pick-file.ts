/** Choosing a file: the File System Access picker where the browser has it, the classic file input otherwise. */

interface OpenFilePickerWindow {
  showOpenFilePicker?: (options?: { multiple?: boolean; excludeAcceptAllOption?: boolean; id?: string }) => Promise<Array<{ getFile(): Promise<File> }>>;
}

export const hasOpenFilePicker = (): boolean =>
  typeof (globalThis as OpenFilePickerWindow).showOpenFilePicker === 'function' && window.self === window.top;

/**
 * Opens the picker. Resolves with the chosen Files (disk-backed: nothing is read until the worker slices them; several
 * are the members of a makedumpfile --split set), or null when the user cancels. Without showOpenFilePicker it clicks
 * `fallback`, whose change handler delivers the files.
 */
export async function pickFiles(fallback: HTMLInputElement | undefined): Promise<File[] | null> {
  const w = globalThis as OpenFilePickerWindow;
  if (hasOpenFilePicker() && w.showOpenFilePicker) {
    try {
      // No type filter: vmcores rarely have an extension (vmcore, vmcore.flat, dump.202611251709 …).
      const handles = await w.showOpenFilePicker({ multiple: true, id: 'vmsieve-open' });
      return handles.length ? await Promise.all(handles.map((h) => h.getFile())) : null;
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return null;
      // SecurityError and friends (e.g. no user activation): fall through to the file input.
    }
  }
  fallback?.click();
  return null;
}

/** The files of a drop (several: a split set), or null if what was dropped holds no file (text, a link). */
export function droppedFiles(e: DragEvent): File[] | null {
  const files = e.dataTransfer?.files;
  return files && files.length > 0 ? Array.from(files) : null;
}

export const dragHasFiles = (e: DragEvent): boolean => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
