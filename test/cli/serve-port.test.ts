import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.js';

const built = existsSync(join(repoRoot, 'dist/index.html'));

describe.skipIf(!built)(`npm start's server${built ? '' : ' (skipped: dist/ is not built: npm run build:web)'}`, () => {
  const held: Server[] = [];
  const children: ReturnType<typeof spawn>[] = [];
  afterAll(() => {
    held.forEach((s) => s.close());
    children.forEach((c) => c.kill());
  });

  it('takes the next free port when its own is busy, and says so', async () => {
    const busy = createServer();
    held.push(busy);
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    const child = spawn(process.execPath, [join(repoRoot, 'scripts/serve.js'), '--port', String(port)], { cwd: repoRoot });
    children.push(child);
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
      child.stdout.on('data', () => out.includes('http://') && (clearTimeout(t), resolve()));
    });
    const m = /port (\d+) is busy, using (\d+)\n[^]*http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBe(port);
    expect(Number(m![2])).toBeGreaterThan(port);
    expect(m![3]).toBe(m![2]);
    const page = await fetch(`http://127.0.0.1:${m![2]}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('vmsieve');
  });
});
