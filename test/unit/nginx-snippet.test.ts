import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { securityHeaders } from '../../scripts/static-headers.js';
import { repoRoot } from '../helpers/fixtures.js';

const DIST = join(repoRoot, 'dist');
const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const skip = !nginx ? 'nginx is not installed (.ci/run installs it)' : !existsSync(join(DIST, 'index.html')) ? 'dist/ is not built (npm run build:web)' : '';
if (skip) console.warn(`[nginx-snippet] ${skip}: deploy/nginx.conf is only checked as text`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe.skipIf(!!skip)('deploy/nginx.conf in a real nginx serving dist/', () => {
  let dir: string;
  let server: ChildProcess;
  let origin: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vmsieve-nginx-'));
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const temp = (name: string) => `${name} ${join(dir, name)};`;
    // The snippet included as README says, in a server whose root is dist/; everything else in the temporary folder.
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events {}
http {
  include /etc/nginx/mime.types;
  access_log off;
  ${temp('client_body_temp_path')} ${temp('proxy_temp_path')} ${temp('fastcgi_temp_path')} ${temp('uwsgi_temp_path')} ${temp('scgi_temp_path')}
  server {
    listen 127.0.0.1:${port};
    root ${DIST};
    include ${join(repoRoot, 'deploy/nginx.conf')};
  }
}
`,
    );
    const check = spawnSync(nginx!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    server = spawn(nginx!, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${origin}/`).then(() => true, () => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('nginx did not start');
  });

  afterAll(() => {
    server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every file of the build comes with the security headers; assets cached for a year, the page revalidated; wasm as application/wasm', async () => {
    const assets = readdirSync(join(DIST, 'assets'));
    for (const path of ['/', '/index.html', '/sw.js', '/favicon.svg', ...assets.map((a) => `/assets/${a}`)]) {
      const res = await fetch(`${origin}${path}`);
      await res.arrayBuffer();
      expect(res.status, path).toBe(200);
      for (const [k, v] of Object.entries(securityHeaders)) expect(res.headers.get(k), `${path}: ${k}`).toBe(v);
      expect(res.headers.get('cache-control'), path).toBe(path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (path.endsWith('.wasm')) expect(res.headers.get('content-type')).toBe('application/wasm');
    }
    const missing = await fetch(`${origin}/no-such-file`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(securityHeaders['Content-Security-Policy']);
  });
});
