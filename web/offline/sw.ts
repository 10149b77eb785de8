/// <reference lib="webworker" />
/**
 * The service worker that makes the app work offline once loaded (design decision 7). It keeps the app shell of
 * one build — the list the build wrote into `__PRECACHE__` (see precache-plugin.ts) — and answers requests for
 * those files from its cache, and streams exports to downloads (download-server.ts); every other request goes to the
 * network untouched, as if there were no worker.
 */
import { serveDownloads } from './download-server.js';
import type { Precache } from './precache.js';

declare const __PRECACHE__: Precache;

const sw = self as unknown as ServiceWorkerGlobalScope;
const { version, files } = __PRECACHE__;
const CACHE_PREFIX = 'vmsieve-shell-';
const cacheName = CACHE_PREFIX + version;

/** Request URL → the URL it is cached under. */
const cacheKeys = new Map<string, string>();
for (const file of files) {
  const url = new URL(file, sw.location.href).href;
  cacheKeys.set(url, url);
}
// The page is asked for as the site root, and cached as the index.html the build wrote.
const indexUrl = new URL('index.html', sw.location.href).href;
if (cacheKeys.has(indexUrl)) cacheKeys.set(new URL('./', sw.location.href).href, indexUrl);

serveDownloads(sw);

sw.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(dropOtherBuilds().then(() => sw.clients.claim()));
});

sw.addEventListener('fetch', (event) => {
  if (event.request.method !== 'GET') return;
  const url = new URL(event.request.url);
  url.hash = '';
  const key = cacheKeys.get(url.href);
  if (key) event.respondWith(cacheFirst(key, event.request));
});

async function precache(): Promise<void> {
  const cache = await caches.open(cacheName);
  // Revalidate with the server instead of trusting the HTTP cache, so the shell kept is the build just served.
  // addAll fails on any error response, and a failed install leaves no worker: the page never claims to be offline-ready.
  await cache.addAll([...new Set(cacheKeys.values())].map((url) => new Request(url, { cache: 'no-cache' })));
  // A new build takes over at once rather than after every tab of the old one has closed.
  await sw.skipWaiting();
}

async function dropOtherBuilds(): Promise<void> {
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== cacheName).map((n) => caches.delete(n)));
}

/** The cached response keeps the server's headers (CSP, COOP/COEP, `application/wasm`), which the page and its workers need. */
async function cacheFirst(key: string, request: Request): Promise<Response> {
  const cached = await caches.match(key, { cacheName });
  return cached ?? fetch(request);
}
