import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { offlineShell } from './web/offline/precache-plugin.js';
import { headersFile } from './scripts/static-headers.js';

/**
 * One source for the response headers, shared with scripts/serve.js: a strict CSP sent as an HTTP header
 * (a <meta> CSP does not bind workers, docs/ecosystem.md §5.5) plus COOP/COEP for cross-origin isolation.
 */
const headers: Record<string, string> = JSON.parse(
  readFileSync(fileURLToPath(new URL('./web/lib/security-headers.json', import.meta.url)), 'utf8'),
);

export default defineConfig({
  root: 'web',
  appType: 'mpa', // a missing file (e.g. no sample.vmcore) is a 404, not index.html
  plugins: [
    svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) }),
    // The ~58 MB sample stays out of the offline shell: keeping it would put a demo file in every visitor's storage
    // (and page routes in the e2e tests could no longer stand in for it). Offline, the page opens on the drop zone.
    // _headers is read by the host (Netlify, Cloudflare Pages), which does not serve it: not part of the shell either.
    offlineShell({ entry: fileURLToPath(new URL('./web/offline/sw.ts', import.meta.url)), exclude: ['sample.vmcore', '_headers'] }),
    {
      name: 'vmsieve:static-headers',
      apply: 'build',
      generateBundle() {
        this.emitFile({ type: 'asset', fileName: '_headers', source: headersFile(headers) });
      },
    },
  ],
  // Relative URLs throughout: dist/ works from a domain's root or from any folder under it, as it is.
  base: './',
  worker: { format: 'es' },
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    // Never inline assets as data: URLs: under connect-src 'self' a fetch of data: is blocked.
    assetsInlineLimit: 0,
  },
  server: { headers },
  preview: { headers, port: 4173, strictPort: true },
});
