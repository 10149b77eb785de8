import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARCHITECTURES } from '../../src/kernel/arch/index.js';
import { spawnSync } from 'node:child_process';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = resolve(process.env.VMSIEVE_SHARED ?? join(repoRoot, '../shared'));
export const sharedFixturesDir = join(sharedDir, 'fixtures');
export const cacheDir = join(repoRoot, '.cache');
export const fixtureCacheDir = join(cacheDir, 'fixtures');
/** The project's own real dumps (small enough to commit), decompressed into their own cache folder. */
export const projectFixturesDir = join(repoRoot, 'fixtures/real');
export const projectFixtureCacheDir = join(cacheDir, 'real');
/**
 * More real dumps, laid out like ../shared/fixtures, that are too large to commit (a Linux 7.2 kdump is 33 MB
 * compressed): VMSIEVE_MORE_FIXTURES names their folder; they join every real-dump test where it is set.
 */
export const moreFixturesDir = process.env.VMSIEVE_MORE_FIXTURES ? resolve(process.env.VMSIEVE_MORE_FIXTURES) : undefined;
export const moreFixtureCacheDir = join(cacheDir, 'more');

export interface MakedumpfileReport {
  original_pages: number;
  excluded_pages: number;
  zero_pages: number;
  non_private_cache_pages: number;
  private_cache_pages: number;
  user_process_data_pages: number;
  free_pages: number;
  hwpoison_pages: number;
  offline_pages: number;
  remaining_pages: number;
  memory_hole_pages: number;
  total_pages: number;
}

/** A makedumpfile report's excluded-page counts, under vmsieve's names for the classes. */
export function excludedByClass(r: MakedumpfileReport) {
  return {
    zero: r.zero_pages,
    cache: r.non_private_cache_pages,
    cachePrivate: r.private_cache_pages,
    user: r.user_process_data_pages,
    free: r.free_pages,
    hwpoison: r.hwpoison_pages,
    offline: r.offline_pages,
  };
}

/**
 * The architectures of the real dumps, by the ELF machine their records carry: the Debian architecture whose
 * makedumpfile reads them (scripts/setup-foreign-makedumpfile.sh sets up a foreign one under qemu-user) and the
 * variable that names an upstream build of it, for records whose truth is upstream's.
 */
const FIXTURE_ARCHES = {
  x86_64: { elfMachine: 62, debianArch: 'amd64', upstreamEnv: 'VMSIEVE_MAKEDUMPFILE_X86_64' },
  arm64: { elfMachine: 183, debianArch: 'arm64', upstreamEnv: 'VMSIEVE_MAKEDUMPFILE_ARM64' },
  ppc64le: { elfMachine: 21, debianArch: 'ppc64el', upstreamEnv: 'VMSIEVE_MAKEDUMPFILE_PPC64LE' },
  s390x: { elfMachine: 22, debianArch: 's390x', upstreamEnv: 'VMSIEVE_MAKEDUMPFILE_S390X' },
  riscv64: { elfMachine: 243, debianArch: 'riscv64', upstreamEnv: 'VMSIEVE_MAKEDUMPFILE_RISCV64' },
} as const;

export type FixtureArch = keyof typeof FIXTURE_ARCHES;

const fixtureArchOf = (machine: number | undefined): FixtureArch =>
  (Object.keys(FIXTURE_ARCHES) as FixtureArch[]).find((a) => FIXTURE_ARCHES[a].elfMachine === machine) ?? 'x86_64';

export interface RealFixture {
  name: string;
  /** From the record's ELF e_machine. */
  arch: FixtureArch;
  vmcore: string;
  /** The oracle that is the truth for this dump (upstream's where Debian's 1.7.2 is wrong). */
  oracle: Record<string, any> & { counts_by_level: Record<string, MakedumpfileReport> };
  oracleFile: string;
  dmesgFile: string;
  /** NAME.secrets.json, for a dump whose guest held planted secrets (scripts/vmcore-gen-secrets); see planted-secrets.ts. */
  plantedFile?: string;
}

/** A real dump's files: its records in `dir`, its decompressed vmcore in `cache`. */
export interface FixtureFiles {
  name: string;
  dir: string;
  cache: string;
}

/** The shared fixtures (when ../shared is there) and the project's, by name. */
export function fixtureFiles(): FixtureFiles[] {
  if (!existsSync(sharedFixturesDir)) return [];
  const list = (dir: string, cache: string) =>
    existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.vmcore.zst')).map((f) => ({ name: f.slice(0, -'.vmcore.zst'.length), dir, cache })) : [];
  const more = moreFixturesDir ? list(moreFixturesDir, moreFixtureCacheDir) : [];
  return [...list(sharedFixturesDir, fixtureCacheDir), ...list(projectFixturesDir, projectFixtureCacheDir), ...more].sort((a, b) => a.name.localeCompare(b.name));
}

export function fixtureNames(): string[] {
  return fixtureFiles().map((f) => f.name);
}

/** Why real-dump tests cannot run here, or undefined when they can. */
export function realFixturesSkipReason(): string | undefined {
  if (!existsSync(sharedFixturesDir)) return `real vmcore fixtures not found at ${sharedFixturesDir} (set VMSIEVE_SHARED)`;
  const missing = fixtureFiles().find((f) => !existsSync(join(f.cache, `${f.name}.vmcore`)));
  if (missing) return `fixtures were not decompressed into ${missing.cache} (is zstd installed?)`;
  return undefined;
}

/**
 * Dumps whose upstream record is the truth (see the fixtures READMEs): on 6.12 and 7.x (the last two are
 * VMSIEVE_MORE_FIXTURES dumps) Debian's 1.7.2 miscounts slab and page cache; on riscv64 Debian's 1.7.6 mistranslates
 * the huge-page vmemmap; on a one-cycle dump 1.7.2 counts the partial last page of a PT_LOAD as remaining.
 */
const upstreamIsTruth = new Set(['next-kdump612-384m-4l-kaslr', 'next-riscv64-kdump-1g', 'kdump-320m-onecycle', 'kdump72-320m-kaslr', 'kdump73rc-320m-kaslr']);

/** A fixture's ELF machine, from its record (the recorded vmcores are all ELF files). */
const recordedMachine = (oracle: { elf?: { e_machine?: number } }): number | undefined => oracle.elf?.e_machine;

/** Every real dump with its record, those of architectures vmsieve does not read yet included. */
function allRealFixtures() {
  if (realFixturesSkipReason()) return [];
  return fixtureFiles().map(({ name, dir, cache }) => {
    const useNew = upstreamIsTruth.has(name) && existsSync(join(dir, `${name}.makedumpfile-new.json`));
    const oracleFile = join(dir, `${name}.makedumpfile${useNew ? '-new' : ''}.json`);
    return { name, dir, cache, oracleFile, oracle: JSON.parse(readFileSync(oracleFile, 'utf8')) };
  });
}

const readsMachine = (machine: number | undefined) => machine === undefined || ARCHITECTURES.some((a) => a.elfMachine === machine);

/**
 * Real dumps of architectures vmsieve does not read yet (s390x in ../shared): the tests on real dumps
 * leave them out, and test/oracle/unread-arch.test.ts says so and checks that they are refused with a clear error.
 */
export function unreadFixtures(): { name: string; vmcore: string; machine: number }[] {
  return allRealFixtures()
    .filter((f) => !readsMachine(recordedMachine(f.oracle)))
    .map((f) => ({ name: f.name, vmcore: join(f.cache, `${f.name}.vmcore`), machine: recordedMachine(f.oracle)! }));
}

/**
 * The real dumps every real-dump test runs on. Dumps whose guest held planted secrets are left out: they repeat an
 * x86_64 6.1 kdump the others cover, and only the secret tests need them (plantedFixtures).
 */
export function realFixtures(): RealFixture[] {
  return readableFixtures().filter((f) => !f.plantedFile);
}

/**
 * One real dump of each layout (architecture, page size, and kdump's ELF or QEMU's), for tests of a property of the
 * file formats: more dumps of one layout add minutes and no case.
 */
export function oneOfEachLayout(): RealFixture[] {
  const seen = new Set<string>();
  return realFixtures().filter((f) => {
    const layout = `${f.arch} ${f.oracle.vmcoreinfo_summary.PAGESIZE} ${f.oracle.normalized_input ? 'qemu' : 'kdump'}`;
    if (seen.has(layout)) return false;
    seen.add(layout);
    return true;
  });
}

/** The real dumps whose guest held planted secrets (NAME.secrets.json beside them; see planted-secrets.ts). */
export function plantedFixtures(): (RealFixture & { plantedFile: string })[] {
  return readableFixtures().filter((f): f is RealFixture & { plantedFile: string } => f.plantedFile !== undefined);
}

function readableFixtures(): RealFixture[] {
  return allRealFixtures().filter((f) => readsMachine(recordedMachine(f.oracle))).map(({ name, cache, oracle, oracleFile, dir }) => {
    return {
      name,
      arch: fixtureArchOf(recordedMachine(oracle)),
      vmcore: join(cache, `${name}.vmcore`),
      oracle,
      oracleFile,
      dmesgFile: join(dir, `${name}.dmesg.txt`),
      ...(existsSync(join(dir, `${name}.secrets.json`)) ? { plantedFile: join(dir, `${name}.secrets.json`) } : {}),
    };
  });
}

/** Where scripts/setup-foreign-makedumpfile.sh puts Debian's makedumpfile for another architecture (run under qemu-user). */
export const foreignMakedumpfilePath = (arch: FixtureArch) => join(cacheDir, `makedumpfile-${FIXTURE_ARCHES[arch].debianArch}`, 'makedumpfile');

const works = (cmd: string) => spawnSync(cmd, ['-v'], { stdio: 'ignore' }).status === 0;
const makedumpfileFound = new Map<FixtureArch, string | undefined>();

/**
 * The makedumpfile that reads dumps of this architecture (a makedumpfile build reads its own architecture's dumps
 * only): Debian's on PATH for x86_64; for another architecture Debian's build of it through qemu-user, set up by
 * scripts/setup-foreign-makedumpfile.sh. `skip` says why there is none.
 */
export function makedumpfileFor(arch: FixtureArch): { cmd: string; skip?: undefined } | { cmd?: undefined; skip: string } {
  if (!makedumpfileFound.has(arch)) {
    const cmd = arch === 'x86_64' ? 'makedumpfile' : foreignMakedumpfilePath(arch);
    makedumpfileFound.set(arch, works(cmd) ? cmd : undefined);
  }
  const cmd = makedumpfileFound.get(arch);
  if (cmd) return { cmd };
  return {
    skip:
      arch === 'x86_64'
        ? 'makedumpfile is not installed (apt-get install makedumpfile)'
        : `the ${arch} makedumpfile is not set up at ${foreignMakedumpfilePath(arch)} (run scripts/setup-foreign-makedumpfile.sh ${FIXTURE_ARCHES[arch].debianArch}; needs qemu-user-static; Debian 12 has none for riscv64)`,
  };
}

/**
 * The makedumpfile whose record a fixture carries, and the --dump-dmesg text it prints. Debian's 1.7.2 for most;
 * Records made with upstream makedumpfile (fixtures/real's 16 KiB arm64 dump, which 1.7.2 cannot read; the riscv64
 * dump, which Debian's riscv64 build miscounts), whose log has the caller column (NAME.dmesg-new.txt), need an
 * upstream build of that architecture named by VMSIEVE_MAKEDUMPFILE_<ARCH> (see fixtures/real/README.md); without
 * it the checks that run makedumpfile on that dump skip.
 */
export function makedumpfileForRecord(f: RealFixture): ReturnType<typeof makedumpfileFor> & { dmesgFile?: string } {
  const version = String(f.oracle.makedumpfile_version ?? '');
  if (version.startsWith('makedumpfile: version 1.7.2 ')) return { ...makedumpfileFor(f.arch), dmesgFile: f.dmesgFile };
  const { upstreamEnv } = FIXTURE_ARCHES[f.arch];
  const upstream = process.env[upstreamEnv];
  // Upstream's log where the dump has one of its own (NAME.dmesg-new.txt); else NAME.dmesg.txt is upstream's already.
  const newDmesg = f.dmesgFile.replace(/\.dmesg\.txt$/, '.dmesg-new.txt');
  if (upstream && works(upstream)) return { cmd: upstream, dmesgFile: existsSync(newDmesg) ? newDmesg : f.dmesgFile };
  return { skip: `its record is from ${version.split('\n')[0] || 'another makedumpfile'}, not Debian's 1.7.2: set ${upstreamEnv} to an upstream ${f.arch} build` };
}
