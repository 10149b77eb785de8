import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

/** The README's ```js blocks that import `from '<pkg>'`, in order: the examples users copy, run as they are. */
export function readmeExample(pkg: 'vmsieve' | 'vmsieve/browser'): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.includes(`from '${pkg}';`));
  if (blocks.length !== 1) throw new Error(`README.md should have one js example importing '${pkg}', has ${blocks.length}`);
  return blocks[0];
}
