#!/usr/bin/env node
// Serves the built app (dist/) with the headers the privacy promise rests on: a strict Content-Security-Policy sent
// as an HTTP header on every response (workers included), plus COOP/COEP. Plain node:http, no dependencies.
//
//   node scripts/serve.js [--port 4173] [--host 127.0.0.1] [--dir dist]
import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The same headers vite.config.ts gives the dev and preview servers. */
export const securityHeaders = JSON.parse(readFileSync(join(root, 'web/lib/security-headers.json'), 'utf8'));

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Resolves a URL path inside dir, or null if it would escape it. */
function fileFor(dir, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const full = normalize(join(dir, path));
  return full === dir || full.startsWith(dir + sep) ? full : null;
}

/** What `npm start` sends: the security headers, and long caching for hashed assets only. */
function devHeaders(pathname) {
  return { ...securityHeaders, 'Cache-Control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache' };
}

/**
 * Serves the files under dir with the headers `headersFor(pathname)` gives every response; `hidden` paths (relative
 * to dir) are answered 404, as a host that reads them as configuration does.
 */
export function createStaticServer(dir, { headersFor = devHeaders, hidden = [] } = {}) {
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const [k, v] of Object.entries(headersFor(url.pathname))) res.setHeader(k, v);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    let file = hidden.includes(url.pathname.slice(1)) ? null : fileFor(dir, url.pathname);
    let info = file ? await stat(file).catch(() => null) : null;
    if (file && info?.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!file || !info?.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': types[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Last-Modified': info.mtime.toUTCString(),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT ?? '4173' },
      host: { type: 'string', default: '127.0.0.1' },
      dir: { type: 'string', default: 'dist' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('usage: node scripts/serve.js [--port 4173] [--host 127.0.0.1] [--dir dist]\n');
    return;
  }
  const dir = resolve(root, values.dir);
  const index = await stat(join(dir, 'index.html')).catch(() => null);
  if (!index) {
    process.stderr.write(`serve: ${join(dir, 'index.html')} not found; build the app first (npm run build:web)\n`);
    process.exitCode = 1;
    return;
  }
  const wanted = Number(values.port);
  const server = createStaticServer(dir);
  // The port busy (another vmsieve, another dev server): take the next free one of the following 20 and say so.
  let port = wanted;
  server.on('error', (e) => {
    if (e.code === 'EADDRINUSE' && port < wanted + 20) {
      port++;
      server.listen(port, values.host);
      return;
    }
    process.stderr.write(`serve: ${e.message}\n`);
    process.exit(1);
  });
  server.on('listening', () => {
    if (port !== wanted) process.stdout.write(`serve: port ${wanted} is busy, using ${port}\n`);
  });
  server.listen(port, values.host, () => {
    const addr = server.address();
    const shownHost = values.host === '0.0.0.0' || values.host === '::' ? 'localhost' : values.host;
    process.stdout.write(`vmsieve is served from ${dir}\n  http://${shownHost}:${addr.port}/\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
