/**
 * Build-time (Node) side of the offline shell: after Vite has written the app, list what it emitted, hash it, and
 * compile sw.ts into `dist/sw.js` with that list built in. Nothing is hand-maintained; a new build, a new cache.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { build, type Plugin, type Rolldown } from 'vite';
import { SW_FILE, type Precache } from './precache.js';

export interface OfflineShellOptions {
  /** The service worker's source (sw.ts). */
  entry: string;
  /** Paths relative to the output folder that the worker must not precache. */
  exclude: string[];
}

export function offlineShell({ entry, exclude }: OfflineShellOptions): Plugin {
  let publicDir = '';
  return {
    name: 'vmsieve:offline-shell',
    apply: 'build',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    async writeBundle(output, bundle) {
      const outDir = output.dir;
      if (!outDir) throw new Error('offline-shell: the build has no output folder');
      // The bundle holds what Rolldown emitted (entry, chunks, workers, the wasm); public/ is copied beside it.
      const emitted = [...Object.keys(bundle), ...(publicDir ? await filesUnder(publicDir) : [])];
      const files = [...new Set(emitted)].filter((f) => f !== SW_FILE && !exclude.includes(f)).sort();
      const precache: Precache = { version: await contentHash(outDir, files), files };
      await writeFile(join(outDir, SW_FILE), await compileServiceWorker(entry, precache));
    },
  };
}

/** Paths of every file under dir, relative to it, with forward slashes. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

async function contentHash(outDir: string, files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(await readFile(join(outDir, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** One classic script (an IIFE: module service workers are not everywhere yet) with the precache list inlined. */
async function compileServiceWorker(entry: string, precache: Precache): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    define: { __PRECACHE__: JSON.stringify(precache) },
    build: {
      write: false,
      copyPublicDir: false,
      target: 'es2022',
      minify: false, // a few lines, kept readable in the browser's service worker inspector
      rolldownOptions: { input: entry, output: { format: 'iife', entryFileNames: SW_FILE } },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunk = outputs.flatMap((o) => o.output).find((o): o is Rolldown.OutputChunk => o.type === 'chunk' && o.isEntry);
  if (!chunk) throw new Error(`offline-shell: compiling ${entry} produced no script`);
  return chunk.code;
}
