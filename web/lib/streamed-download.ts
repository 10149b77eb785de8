import { DOWNLOAD_PATH, KEEP_ALIVE_MS, type DownloadOffer, type KeepAlive } from '../offline/download-protocol.js';

/** A download the service worker streams: the port the export writes to, and `end()` once the export has settled. */
export interface StreamedDownload {
  port: MessagePort;
  end(): void;
}

/**
 * Starts downloading `name` from the service worker, which streams it from the returned port as the export writes it
 * (see download-protocol.ts); null where no service worker controls the page (not yet installed, private browsing,
 * an insecure origin): the export cannot stream there.
 */
export function startStreamedDownload(name: string): StreamedDownload | null {
  const worker = navigator.serviceWorker?.controller;
  if (!worker) return null;
  const id = crypto.randomUUID();
  const channel = new MessageChannel();
  const offer: DownloadOffer = { type: 'vmsieve-download', id, name, port: channel.port2 };
  worker.postMessage(offer, [channel.port2]);
  // A plain link, not <a download>: Chromium fetches a download link itself, past the service worker, while a
  // navigation goes through it (and turns into a download at the response's Content-Disposition).
  const link = document.createElement('a');
  link.href = new URL(`${import.meta.env.BASE_URL}${DOWNLOAD_PATH}${id}`, location.href).href;
  document.body.append(link);
  link.click();
  link.remove();
  const alive: KeepAlive = { type: 'vmsieve-keep-alive', id };
  const keepAlive = setInterval(() => worker.postMessage(alive), KEEP_ALIVE_MS);
  return { port: channel.port1, end: () => clearInterval(keepAlive) };
}
