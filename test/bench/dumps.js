// The bench's dumps: synthetic ones from fixtures/gen, and real ones made by ../shared/tools/vmcore-gen (QEMU + a
// Debian kernel, kdump) when that tool is there. Each is made once and kept in .cache/bench.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export function syntheticDump(root, cache, name, args) {
  const file = join(cache, `${name}.vmcore`);
  if (!existsSync(file)) {
    console.log(`generating ${file} (${args.join(' ')}) …`);
    const r = spawnSync(process.execPath, [join(root, 'scripts/vmcore-gen.js'), '--out', file, ...args], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('vmcore generation failed');
  }
  return file;
}

/** The 1 GiB synthetic dump of the browser rows and the kdump-input section. */
export const BENCH_1G = ['--mem', '1024', '--content', 'realistic', '--seed', '9'];

/** The 4 GiB kdump of a mostly idle guest, and one whose guest holds far more data (kept at -d 1). */
export const REAL_DUMPS = {
  big: ['--ram', '4096', '--crashkernel', '256', '--kaslr', 'on', '--smp', '2', '--cache', '256', '--anon-rnd', '64', '--anon-pat', '128', '--anon-zero', '64', '--write', '64', '--tmpfs', '32', '--random-pct', '50', '--seed', '99'],
  bigkept: ['--ram', '4096', '--crashkernel', '256', '--kaslr', 'on', '--smp', '2', '--cache', '1024', '--anon-rnd', '512', '--anon-pat', '512', '--anon-zero', '128', '--write', '256', '--tmpfs', '128', '--random-pct', '50', '--seed', '98'],
};

/** A real kdump made with vmcore-gen, or a reason why there is none. */
export function realDump(root, cache, name) {
  const dir = join(cache, 'real');
  const file = join(dir, `${name}.vmcore`);
  if (existsSync(file)) return { file };
  const tool = join(root, '../shared/tools/vmcore-gen/make-vmcore.sh');
  if (!existsSync(tool)) return { skip: `${tool} is not there to make the real dumps` };
  mkdirSync(dir, { recursive: true });
  console.log(`making the real dump ${file} with vmcore-gen (QEMU, a few minutes) …`);
  const r = spawnSync('bash', [tool, '--name', name, '--out', dir, '--method', 'kdump', ...REAL_DUMPS[name]], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(file)) return { skip: `vmcore-gen failed (${r.status}) for ${name}` };
  return { file };
}
