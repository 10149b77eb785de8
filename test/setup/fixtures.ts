import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureFiles, sharedFixturesDir } from '../helpers/fixtures.js';

/** Decompresses each real dump (shared and the project's) once into the ignored cache; tests that need them skip when this could not run. */
export default function setup(): void {
  if (!existsSync(sharedFixturesDir)) {
    console.warn(`[vmsieve tests] ${sharedFixturesDir} is absent: tests on real dumps will be skipped`);
    return;
  }
  for (const { name, dir, cache } of fixtureFiles()) {
    const out = join(cache, `${name}.vmcore`);
    if (existsSync(out)) continue;
    mkdirSync(cache, { recursive: true });
    const tmp = `${out}.partial`;
    try {
      execFileSync('zstd', ['-q', '-f', '-d', '--long=31', join(dir, `${name}.vmcore.zst`), '-o', tmp]);
      renameSync(tmp, out);
    } catch (e) {
      console.warn(`[vmsieve tests] could not decompress ${name}: ${(e as Error).message}`);
    }
  }
}
