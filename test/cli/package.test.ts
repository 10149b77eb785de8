import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PROFILE_6_1 } from '../../fixtures/gen/profile.js';
import { vmsieve } from '../helpers/cli.js';
import { repoRoot } from '../helpers/fixtures.js';
import { packAndInstall } from '../helpers/pack.js';
import { readmeExample } from '../helpers/readme.js';

/** The page's sample dump, made by scripts/make-sample.js (npm run build:web) with the generator's 6.1 profile. */
const SAMPLE = join(repoRoot, 'web/public/sample.vmcore');
const BUILT = join(repoRoot, 'build/lib/index.js');
const missing = [BUILT, SAMPLE].filter((f) => !existsSync(f));
if (missing.length) console.warn(`[package] ${missing.join(' and ')} missing (npm run build:web makes them): the package tests are skipped`);

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };

describe.skipIf(missing.length > 0)('the packed package, installed in an empty folder', () => {
  let dir: string;
  let tarball: string;
  let files: string[];
  let size: number;
  let app: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vmsieve-package-'));
    ({ tarball, files, size, app } = packAndInstall(dir));
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('holds the built library, the CLI and the wasm, and no sources, tests or fixtures', () => {
    console.log(`[package] ${tarball.split('/').pop()}: ${size} bytes, ${files.length} files`);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/vmsieve.js', 'build/wasm/vmsieve.wasm', 'build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/browser.js', 'build/lib/browser.d.ts', 'build/lib/workers/node-compute-worker.js', 'build/lib/workers/browser-compute-worker.js']));
    expect(files.filter((f) => /^(src|test|fixtures|web|assembly|scripts|build\/gen)\/|\.map$|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    const installed = join(app, 'node_modules');
    expect(existsSync(join(installed, 'vmsieve/build/lib/cli/main.js'))).toBe(true);
    expect(Object.keys(pkg.dependencies)).toEqual(['comlink']);
    expect(existsSync(join(installed, 'comlink'))).toBe(true);
    expect(existsSync(join(installed, 'assemblyscript'))).toBe(false);
  });

  test('npx vmsieve --version and --info --json work from it', () => {
    const version = spawnSync('npx', ['--no-install', 'vmsieve', '--version'], { cwd: app, encoding: 'utf8' });
    expect(version.stdout).toBe(`vmsieve ${pkg.version}\n`);
    const info = spawnSync('npx', ['--no-install', 'vmsieve', '--info', '--json', SAMPLE], { cwd: app, encoding: 'utf8' });
    expect(info.status, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout).release).toBe(PROFILE_6_1.osrelease);
  });

  test("README's Node example, importing 'vmsieve', classifies the sample at -d 31 as the CLI does, and exports it", () => {
    writeFileSync(join(app, 'example.js'), readmeExample('vmsieve'));
    const r = spawnSync(process.execPath, ['example.js', SAMPLE], { cwd: app, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const cli = JSON.parse(vmsieve(['--dry-run', '--json', '-d', '31', SAMPLE]).stdout).pages;
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${PROFILE_6_1.osrelease} x86_64, 2 CPUs, crashed `));
    expect(lines[1]).toBe(
      `-d 31 keeps ${cli.remaining} of ${cli.original} pages: out go ${cli.zero} zero, ${cli.cache + cli.cachePrivate} cache, ${cli.user} user, ${cli.free} free, ${cli.hwpoison + cli.offline} poisoned or offline`,
    );
    const written = join(app, 'filtered.kdump');
    expect(lines[2]).toBe(`filtered.kdump: ${readFileSync(written).length} bytes`);
    // What the library wrote is a dump the CLI reads back: the same kernel, filtered at 31.
    const back = vmsieve(['--info', '--json', written]);
    expect(back.status, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ format: 'kdump', release: PROFILE_6_1.osrelease });
  });

  test("its types check a user's strict TypeScript: Node with @types/node, the browser entry without; both with lib dom (WebAssembly)", () => {
    writeFileSync(
      join(app, 'node.ts'),
      `import { openVmcore, NodeFileSink, type DumpInfo, type PageReport } from 'vmsieve';
const vmcore = await openVmcore(3);
const info: DumpInfo = await vmcore.info();
const report: PageReport = (await vmcore.classify({ levels: [31], signal: AbortSignal.timeout(1000) })).report(31);
await vmcore.export(await NodeFileSink.create('out'), { level: 31, codec: 'lzo', onProgress: (p) => p.doneBytes });
console.log(info.release, report.remaining);
`,
    );
    writeFileSync(
      join(app, 'web.ts'),
      `import { openVmcore, opfsSink, fileHandleSink, isVmsieveError, type AnalyseResult } from 'vmsieve/browser';
export async function run(file: File, handle: FileSystemFileHandle): Promise<number> {
  const vmcore = await openVmcore(file);
  try {
    const a: AnalyseResult = await vmcore.analyse({ measureEvery: 16 });
    await vmcore.export(await fileHandleSink(handle), { level: 1 });
    return a.levels[31].pages + (await vmcore.export(await opfsSink('x'), { level: 31, codec: 'zstd' })).fileSize;
  } catch (e) {
    return isVmsieveError(e) && e.code === 'E_CANCELLED' ? 0 : -1;
  }
}
`,
    );
    const tsc = join(repoRoot, 'node_modules/.bin/tsc');
    const config = (files: string[], types: string[]) => ({
      compilerOptions: { noEmit: true, strict: true, skipLibCheck: false, skipDefaultLibCheck: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom'], typeRoots: [join(repoRoot, 'node_modules/@types')], types },
      files,
    });
    writeFileSync(join(app, 'tsconfig.node.json'), JSON.stringify(config(['node.ts'], ['node'])));
    writeFileSync(join(app, 'tsconfig.web.json'), JSON.stringify(config(['web.ts'], [])));
    for (const project of ['tsconfig.node.json', 'tsconfig.web.json']) {
      const r = spawnSync(tsc, ['-p', project], { cwd: app, encoding: 'utf8' });
      expect(r.status, `${project}: ${r.stdout}`).toBe(0);
    }
  });

  test('publint and arethetypeswrong find no problem in the tarball', () => {
    const bin = join(repoRoot, 'node_modules/.bin');
    const publint = spawnSync(join(bin, 'publint'), ['--strict', tarball], { encoding: 'utf8' });
    expect(publint.status, publint.stdout + publint.stderr).toBe(0);
    // ESM only (Node >= 20.19 can require() it anyway); the wasm entry is an asset, not a module with types.
    const attw = spawnSync(join(bin, 'attw'), [tarball, '--profile', 'esm-only', '--exclude-entrypoints', './vmsieve.wasm'], { encoding: 'utf8' });
    expect(attw.status, attw.stdout + attw.stderr).toBe(0);
  });
});
