/**
 * A streamed download through the service worker, for browsers without a save dialog (Firefox, Safari): the page
 * hands the worker one end of a MessageChannel and the dump worker the other, then follows a link to
 * `DOWNLOAD_PATH<id>`; the service worker answers it with a response whose body is read from the port, so the export
 * goes to the browser's downloads as it is written, without a copy anywhere else.
 *
 * On the port, the service worker asks for one chunk at a time (backpressure: the export waits for the download) and
 * says when the user cancelled the download; the dump worker sends chunks, then the end, or an error that fails the
 * download (a cancelled or failed export).
 */

/** Where the downloads are served from, under the service worker's scope. */
export const DOWNLOAD_PATH = 'download-stream/';

/** Page → service worker: a download to serve at DOWNLOAD_PATH + id, its body read from `port`. */
export interface DownloadOffer {
  type: 'vmsieve-download';
  id: string;
  name: string;
  port: MessagePort;
}

/** Service worker → dump worker: send a chunk; the user cancelled the download; the browser never asked for it. */
export type DownloadRequest = { pull: true } | { cancelled: string } | { unstarted: string };

/** Dump worker → service worker. */
export type DownloadChunk = { chunk: Uint8Array<ArrayBuffer> } | { end: true } | { failed: string };

export function isDownloadOffer(data: unknown): data is DownloadOffer {
  return typeof data === 'object' && data !== null && (data as DownloadOffer).type === 'vmsieve-download' && (data as DownloadOffer).port instanceof MessagePort;
}

/**
 * Page → service worker while download `id` streams. A browser stops a service worker it finds idle (Firefox after
 * 30 s, even with a response streaming), and each message counts as activity; and when they stop coming the page is
 * gone, so the download is failed rather than left to end short (a browser may then keep it as if complete).
 */
export interface KeepAlive {
  type: 'vmsieve-keep-alive';
  id: string;
}
export const KEEP_ALIVE_MS = 10_000;

export function isKeepAlive(data: unknown): data is KeepAlive {
  return typeof data === 'object' && data !== null && (data as KeepAlive).type === 'vmsieve-keep-alive';
}
