/// <reference lib="webworker" />
import { DOWNLOAD_PATH, isDownloadOffer, isKeepAlive, KEEP_ALIVE_MS, type DownloadChunk, type DownloadOffer, type DownloadRequest } from './download-protocol.js';

/** How long a download link waits for its offer (the page posts it just before following the link), and an offer for its link. */
const OFFER_WAIT_MS = 10_000;
/** Keep-alives missed before a download's page counts as gone. */
const MISSED_KEEP_ALIVES = 3;

/** The service worker's side of streamed downloads (see download-protocol.ts): offers in, streamed responses out. */
export function serveDownloads(sw: ServiceWorkerGlobalScope): void {
  const offers = new Map<string, { offer: Promise<DownloadOffer>; resolve: (o: DownloadOffer) => void }>();
  const slot = (id: string) => {
    let s = offers.get(id);
    if (!s) {
      let resolve!: (o: DownloadOffer) => void;
      const offer = new Promise<DownloadOffer>((r) => (resolve = r));
      s = { offer, resolve };
      offers.set(id, s);
    }
    return s;
  };
  /** When each streaming download last heard from its page. */
  const heard = new Map<string, number>();
  const prefix = new URL(DOWNLOAD_PATH, sw.registration.scope).href;

  sw.addEventListener('message', (event) => {
    if (isKeepAlive(event.data)) {
      if (heard.has(event.data.id)) heard.set(event.data.id, Date.now());
      return;
    }
    if (!isDownloadOffer(event.data)) return;
    const { id, port } = event.data;
    slot(id).resolve(event.data);
    // A download the browser never asks for would leave the export waiting for ever: it fails instead.
    setTimeout(() => {
      if (!offers.has(id)) return;
      offers.delete(id);
      const m: DownloadRequest = { unstarted: 'the browser did not start the download (try again, or another browser)' };
      port.postMessage(m);
      port.close();
    }, OFFER_WAIT_MS);
  });

  sw.addEventListener('fetch', (event) => {
    if (event.request.method !== 'GET' || !event.request.url.startsWith(prefix)) return;
    const id = event.request.url.slice(prefix.length);
    const timeout = new Promise<undefined>((r) => setTimeout(r, OFFER_WAIT_MS, undefined));
    event.respondWith(
      Promise.race([slot(id).offer, timeout]).then((offer) => {
        offers.delete(id);
        if (!offer) return new Response('This download is no longer available.\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
        heard.set(id, Date.now());
        const { body, done } = bodyFrom(offer.port, () => Date.now() - heard.get(id)! > MISSED_KEEP_ALIVES * KEEP_ALIVE_MS);
        // Alive until the body ends, not only until the response starts (the page's keep-alives renew it).
        event.waitUntil(done.finally(() => heard.delete(id)));
        return new Response(body, {
          headers: {
            'Content-Type': 'application/octet-stream',
            'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(offer.name)}`,
            'X-Content-Type-Options': 'nosniff',
          },
        });
      }),
    );
  });
}

/**
 * A body read from `port` one chunk per pull, and when it ends. The export fails it, and so does the page going away
 * (`pageGone`); cancelling it tells the export.
 */
function bodyFrom(port: MessagePort, pageGone: () => boolean): { body: ReadableStream<Uint8Array>; done: Promise<void> } {
  let answered: (() => void) | undefined;
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  let watch: ReturnType<typeof setInterval> | undefined;
  const end = () => {
    clearInterval(watch);
    port.close();
    ended();
  };
  const ask = (m: DownloadRequest) => port.postMessage(m);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      port.onmessage = (e: MessageEvent<DownloadChunk>) => {
        const m = e.data;
        if ('chunk' in m) controller.enqueue(m.chunk);
        else {
          if ('end' in m) controller.close();
          else controller.error(new Error(m.failed));
          end();
        }
        answered?.();
        answered = undefined;
      };
      watch = setInterval(() => {
        if (!pageGone()) return;
        controller.error(new Error('the page writing this download was closed'));
        end();
      }, KEEP_ALIVE_MS);
    },
    pull() {
      return new Promise<void>((resolve) => {
        answered = resolve;
        ask({ pull: true });
      });
    },
    cancel(reason) {
      ask({ cancelled: reason instanceof Error ? reason.message : String(reason ?? 'the download was cancelled') });
      end();
    },
  });
  return { body, done };
}
