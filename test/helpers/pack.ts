import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

export interface Installed {
  tarball: string;
  /** Paths inside the tarball. */
  files: string[];
  /** Bytes of the .tgz. */
  size: number;
  /** An app folder with the tarball installed, as a user's project would have it. */
  app: string;
}

const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * Packs the repository into `dir` and installs the tarball into `dir`/app, an empty ES module project. The library
 * is already built (npm test builds first), so the pack skips prepack; the install takes comlink from the npm cache
 * when it has it, runs no build step and installs no devDependency.
 */
export function packAndInstall(dir: string): Installed {
  const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], repoRoot)) as Array<{ filename: string; size: number; files: { path: string }[] }>;
  const tarball = join(dir, packed.filename);
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', tarball], app);
  return { tarball, files: packed.files.map((f) => f.path), size: packed.size, app };
}
