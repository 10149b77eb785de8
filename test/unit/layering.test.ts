import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { cruise, type ICruiseResult, type IRegularForbiddenRuleType } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

// The rules live in .dependency-cruiser.js (also runnable alone: `npx depcruise src web`); this runs them in `npm test`.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function cruiseRepo(): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.js'));
  const tsConfig = extractTSConfig(join(ROOT, 'tsconfig.json'));
  const { output } = await cruise(['src', 'web'], { ...options, baseDir: ROOT }, {}, { tsConfig });
  return output as ICruiseResult;
}

function svelteFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? svelteFiles(posix.join(dir, e.name)) : e.name.endsWith('.svelte') ? [posix.join(dir, e.name)] : [],
  );
}

/** The imports that make folder `from` depend on folder `to` (the cruiser names folders only in a folder cycle). */
function importsBetween(result: ICruiseResult, from: string, to: string): string[] {
  return result.modules.flatMap((m) =>
    m.source.startsWith(`${from}/`)
      ? m.dependencies.filter((d) => posix.dirname(d.resolved) === to && !d.resolved.startsWith(`${from}/`)).map((d) => `${m.source} → ${d.resolved}`)
      : [],
  );
}

/** One line per broken rule with the files that break it; each folder cycle once, shortest first, with an import per step. */
function report(result: ICruiseResult): string {
  const lines: string[] = [];
  const cycles = new Map<string, string[]>();
  for (const v of result.summary.violations) {
    if (!v.cycle) lines.push(`${v.rule.name}: ${v.from} → ${v.to}`);
    else {
      const path = [v.from, ...v.cycle.map((c) => c.name)];
      cycles.set([...new Set(path)].sort().join(), path);
    }
  }
  for (const path of [...cycles.values()].sort((a, b) => a.length - b.length)) {
    lines.push(`no-folder-cycle: ${path.join(' → ')}`);
    path.slice(1).forEach((to, i) => {
      const [first, ...more] = importsBetween(result, path[i]!, to);
      lines.push(`    ${first}${more.length ? ` (+${more.length} more)` : ''}`);
    });
  }
  return lines.join('\n');
}

describe('layering rules (.dependency-cruiser.js)', async () => {
  const result = await cruiseRepo();

  test('src/ and web/ break none of them', () => {
    expect(result.summary.error, `\n${report(result)}\n`).toBe(0);
  });

  // Svelte 5 compiles a component's TypeScript before the cruiser reads it, erasing `import type`: check those here.
  test('type-only imports in .svelte files keep to the modules web/ may import from src/', () => {
    const rule = result.summary.ruleSetUsed?.forbidden?.find((r): r is IRegularForbiddenRuleType => r.name === 'web-through-entry-modules');
    const allowed = [rule?.to.pathNot ?? []].flat().map((p) => new RegExp(p));
    expect(allowed.length).toBeGreaterThan(0);
    const deep = svelteFiles('web').flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g)]
        .map((m) => posix.normalize(posix.join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'))
        .filter((target) => target.startsWith('src/') && !allowed.some((re) => re.test(target)))
        .map((target) => `${file} → ${target}`),
    );
    expect(deep).toEqual([]);
  });
});
