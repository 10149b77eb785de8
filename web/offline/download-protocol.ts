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

/** Page → service worker while a download streams: a browser may stop an idle service worker (Firefox after 30 s), and each message counts as activity. */
export const KEEP_ALIVE = { type: 'vmsieve-keep-alive' } as const;
export const KEEP_ALIVE_MS = 10_000;
