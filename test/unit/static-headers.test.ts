import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { headersFile, nginxSnippet, securityHeaders } from '../../scripts/static-headers.js';
import { headersForPath, parseHeadersFile } from '../../scripts/static-server.js';
import { repoRoot } from '../helpers/fixtures.js';

const rules = parseHeadersFile(headersFile());

describe("the static site's headers", () => {
  test('_headers gives every path the security headers, hashed assets a year of caching, the page and its worker revalidation', () => {
    const cache = { '/': 'no-cache', '/index.html': 'no-cache', '/sw.js': 'no-cache', '/assets/dump-worker-Ab12.js': 'public, max-age=31536000, immutable', '/assets/vmsieve-Cd34.wasm': 'public, max-age=31536000, immutable' };
    for (const [path, cacheControl] of Object.entries(cache)) {
      const h = headersForPath(rules, path);
      expect(h, path).toMatchObject(securityHeaders);
      expect(h['Cache-Control'], path).toBe(cacheControl);
    }
    // Unhashed public files keep the host's own caching.
    for (const path of ['/sample.vmcore', '/favicon.svg']) expect(headersForPath(rules, path)).toEqual(securityHeaders);
    expect(securityHeaders['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    expect(securityHeaders['Content-Security-Policy']).toContain("default-src 'none'");
  });

  test('the build writes that _headers into dist/', () => {
    const built = join(repoRoot, 'dist/_headers');
    if (!existsSync(built)) return void console.warn('[static-headers] dist/ is not built (npm run build:web): only the generated text was checked');
    expect(readFileSync(built, 'utf8')).toBe(headersFile());
  });

  test('deploy/nginx.conf is the generated snippet, and sends every security header in each location', () => {
    const conf = readFileSync(join(repoRoot, 'deploy/nginx.conf'), 'utf8');
    expect(conf, 'regenerate it: node scripts/static-headers.js --nginx > deploy/nginx.conf').toBe(nginxSnippet());
    const locations = conf.split(/^location /m).slice(1);
    expect(locations).toHaveLength(2);
    for (const loc of locations) for (const [k, v] of Object.entries(securityHeaders)) expect(loc).toContain(`add_header ${k} "${v}" always;`);
  });

  test('a malformed _headers line is refused with its line number', () => {
    expect(() => parseHeadersFile('/*\n  X-Frame-Options DENY\n')).toThrow(/line 2/);
    expect(() => parseHeadersFile('  X-Frame-Options: DENY\n')).toThrow(/line 1/);
  });
});
