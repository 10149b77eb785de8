#!/usr/bin/env node
// A plain static host, as Netlify or Cloudflare Pages would serve dist/: files as they are, with exactly the headers
// dist/_headers gives their path, and _headers itself not served. It knows nothing of vmsieve's own header list, so
// the e2e tests run against it check that the build carries what the page needs.
//
//   node scripts/static-server.js [--port 4174] [--host 127.0.0.1] [--dir dist]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createStaticServer } from './serve.js';

/**
 * The rules of a `_headers` file: a path pattern on its own line (`*` matches anything, `:name` one segment), then
 * `Name: value` lines indented under it; `#` starts a comment.
 */
export function parseHeadersFile(text) {
  const rules = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\s+$/, '');
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      const source = line.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/:[A-Za-z]\w*/g, '[^/]+');
      rules.push({ pattern: new RegExp(`^${source}$`), headers: {} });
      continue;
    }
    const m = /^\s+([^:\s]+)\s*:\s*(.*)$/.exec(line);
    if (!m || rules.length === 0) throw new Error(`_headers line ${i + 1}: expected "Name: value" under a path, got ${JSON.stringify(raw)}`);
    rules.at(-1).headers[m[1]] = m[2];
  }
  return rules;
}

/** Every rule whose pattern matches applies, in file order; a header set by several rules is joined, as Cloudflare Pages does. */
export function headersForPath(rules, pathname) {
  const out = {};
  for (const r of rules)
    if (r.pattern.test(pathname)) for (const [k, v] of Object.entries(r.headers)) out[k] = k in out ? `${out[k]}, ${v}` : v;
  return out;
}

export function createHostLikeServer(dir) {
  const rules = parseHeadersFile(readFileSync(resolve(dir, '_headers'), 'utf8'));
  return createStaticServer(dir, { headersFor: (pathname) => headersForPath(rules, pathname), hidden: ['_headers'] });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4174' },
      host: { type: 'string', default: '127.0.0.1' },
      dir: { type: 'string', default: 'dist' },
    },
  });
  const dir = resolve(fileURLToPath(new URL('..', import.meta.url)), values.dir);
  let server;
  try {
    server = createHostLikeServer(dir);
  } catch (e) {
    process.stderr.write(`static-server: ${e.message} (build the app first: npm run build:web)\n`);
    process.exit(1);
  }
  server.listen(Number(values.port), values.host, () => process.stdout.write(`dist/ as a static host serves it: http://${values.host}:${server.address().port}/\n`));
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
