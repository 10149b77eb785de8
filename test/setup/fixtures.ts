import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureCacheDir, fixtureNames, sharedFixturesDir } from '../helpers/fixtures.js';

/** Decompresses each shared real dump once into the ignored cache; tests that need them skip when this could not run. */
export default function setup(): void {
  if (!existsSync(sharedFixturesDir)) {
    console.warn(`[vmsieve tests] ${sharedFixturesDir} is absent: tests on real dumps will be skipped`);
    return;
  }
  mkdirSync(fixtureCacheDir, { recursive: true });
  for (const name of fixtureNames()) {
    const out = join(fixtureCacheDir, `${name}.vmcore`);
    if (existsSync(out)) continue;
    const tmp = `${out}.partial`;
    try {
      execFileSync('zstd', ['-q', '-f', '-d', '--long=31', join(sharedFixturesDir, `${name}.vmcore.zst`), '-o', tmp]);
      renameSync(tmp, out);
    } catch (e) {
      console.warn(`[vmsieve tests] could not decompress ${name}: ${(e as Error).message}`);
    }
  }
}
