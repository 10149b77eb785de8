/**
 * Another page (a dashboard, a ticket system) can hand vmsieve a dump the way pages open traces in Perfetto: it opens
 * this page with `window.open`, waits for `{ vmsieve: 'ready' }` (sent to the opener on start, and in answer to
 * `{ vmsieve: 'ping' }`), then posts `{ vmsieve: { file } }` with a `File` or `Blob` (`name` names a Blob), or
 * `{ vmsieve: { files } }` for the files of a split set. The bytes stay in this browser, as with a file chosen here.
 */
const READY = { vmsieve: 'ready' } as const;

const asFile = (blob: Blob, name: unknown, i: number): File => (blob instanceof File ? blob : new File([blob], typeof name === 'string' && name ? name : `vmcore${i ? `.${i}` : ''}`));

/** The files a message hands over, or null when it hands over none. */
function filesOf(data: unknown): File[] | null {
  const m = (data as { vmsieve?: unknown } | null)?.vmsieve;
  if (!m || typeof m !== 'object') return null;
  const { file, files, name } = m as { file?: unknown; files?: unknown; name?: unknown };
  if (file instanceof Blob) return [asFile(file, name, 0)];
  if (Array.isArray(files) && files.length > 0 && files.every((f) => f instanceof Blob)) return files.map((f: Blob, i) => asFile(f, undefined, i));
  return null;
}

/** Opens what other pages post (see above) and tells the opener this page is ready; returns the unsubscribe. */
export function acceptOpenMessages(open: (files: File[]) => void): () => void {
  const onmessage = (e: MessageEvent) => {
    if ((e.data as { vmsieve?: unknown } | null)?.vmsieve === 'ping') {
      (e.source as WindowProxy | null)?.postMessage(READY, '*');
      return;
    }
    const files = filesOf(e.data);
    if (files) open(files);
  };
  window.addEventListener('message', onmessage);
  (window.opener as WindowProxy | null)?.postMessage(READY, '*');
  return () => window.removeEventListener('message', onmessage);
}
