import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { PROFILE_6_1 } from '../../fixtures/gen/profile.js';
import { createStaticServer } from '../../scripts/serve.js';
import { vmsieve } from '../helpers/cli.js';
import { repoRoot } from '../helpers/fixtures.js';
import { packAndInstall } from '../helpers/pack.js';
import { readmeExample } from '../helpers/readme.js';

/** The page's sample dump (scripts/make-sample.js, run by npm run build:web). */
const SAMPLE = join(repoRoot, 'web/public/sample.vmcore');
const BUILT = join(repoRoot, 'build/lib/browser.js');

/** A user's page: its worker imports README's browser example, which imports 'vmsieve/browser' from node_modules. */
const PAGE = {
  'index.html': '<!doctype html><meta charset="utf-8"><title>example</title><script type="module" src="./main.js"></script>',
  'main.js': `const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
window.runExample = (url) => new Promise((resolve) => { worker.onmessage = (e) => resolve(e.data); worker.postMessage(new URL(url, location.href).href); });`,
  'worker.js': `import { filterAt31 } from './example.js';
onmessage = async (e) => {
  try {
    const res = await fetch(e.data);
    if (!res.ok) throw new Error(\`\${e.data}: HTTP \${res.status}\`);
    const blob = await res.blob();
    const { file, ...rest } = await filterAt31(new File([blob], 'sample.vmcore'), AbortSignal.timeout(60_000));
    postMessage({ ...rest, fileSize: file.size });
  } catch (err) {
    postMessage({ error: \`\${err.code}: \${err.message}\` });
  }
};`,
};

test.describe('the library in a bundler', () => {
  test.skip(!existsSync(BUILT) || !existsSync(SAMPLE), 'build/lib or the sample is missing: run npm run build:web');

  let dir: string;
  let server: Server;
  let origin: string;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    dir = mkdtempSync(join(tmpdir(), 'vmsieve-browser-example-'));
    const { app } = packAndInstall(dir);
    for (const [name, text] of Object.entries(PAGE)) writeFileSync(join(app, name), text);
    writeFileSync(join(app, 'example.js'), readmeExample('vmsieve/browser'));
    // In a child process, as the user's `vite build` runs (in this one it would set NODE_ENV for later tests).
    writeFileSync(join(app, 'vite.config.js'), "export default { base: './', logLevel: 'warn', worker: { format: 'es' }, build: { target: 'es2022', assetsInlineLimit: 0 } };\n");
    const built = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: app, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    expect(built.stderr, 'the library bundles without warnings').toBe('');
    const out = join(app, 'dist');
    symlinkSync(SAMPLE, join(out, 'sample.vmcore'));
    // Served with vmsieve's own CSP and COOP/COEP, which README tells users the library needs.
    server = createStaticServer(out);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  test.afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("README's browser example, bundled by Vite from the installed tarball, analyses and exports the sample into OPFS", async ({ page }) => {
    test.setTimeout(120_000);
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) cspViolations.push(m.text());
    });
    await page.goto(`${origin}/`);
    const r = (await page.evaluate(() => (window as unknown as { runExample: (url: string) => Promise<unknown> }).runExample('./sample.vmcore'))) as Record<string, unknown>;
    expect(r.error).toBeUndefined();
    const cli = JSON.parse(vmsieve(['--dry-run', '--json', '-d', '31', SAMPLE]).stdout).pages;
    expect(r.release).toBe(PROFILE_6_1.osrelease);
    expect(r.pages).toBe(cli.remaining);
    // analyse() measured every page with every codec: the file written has exactly the size it predicted.
    expect(r.written).toBe(r.predicted);
    expect(r.fileSize).toBe(r.written);
    expect(cspViolations).toEqual([]);
  });
});
