import { describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';
import { dumpWithFreedSymbolPage } from '../helpers/patched-dump.js';

const skip = realFixturesSkipReason();

describe.skipIf(skip)(`vmsieve --advise${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const f = realFixtures().find((x) => x.name.startsWith('dev-qemu')) ?? realFixtures()[0];

  it('--json: the recommendation, every candidate, the assumptions and one config line per distribution', () => {
    const r = vmsieve(['--advise', '--json', '--write-speed', '30', f.vmcore]);
    expect(r.status).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(Object.keys(a.recommended).sort()).toEqual(['bytes', 'codec', 'debugger', 'level', 'seconds']);
    expect(a.recommended.debugger).toEqual({ checked: true, keepsEverything: true, dropped: [] });
    expect(a.candidates).toHaveLength(32 * 6);
    expect(a.candidates[0]).toMatchObject({ level: a.recommended.level, codec: a.recommended.codec, bytes: a.recommended.bytes });
    expect(a.speeds.write).toBe(30e6);
    expect(a.assumptions.join(' ')).toContain('capture kernel');
    expect(a.config.map((c: { file: string }) => c.file)).toEqual(['/etc/kdump.conf', '/etc/default/kdump-tools', '/etc/sysconfig/kdump']);
    expect(a.config[1].line).toBe(`MAKEDUMP_ARGS="${{ 'kdump-zlib': '-c ', 'kdump-lzo': '-l ', 'kdump-snappy': '-p ', 'kdump-zstd': '-z ', 'kdump-none': '', elf: '-E ' }[a.recommended.codec as string]}-d ${a.recommended.level}"`);
    // The sizes are analyse's: the recommended level's kdump-none size is exact.
    const sizes = JSON.parse(vmsieve(['--analyse', '--json', '--measure-every', '16', f.vmcore]).stdout);
    const none = a.candidates.find((c: { level: number; codec: string }) => c.level === 31 && c.codec === 'kdump-none');
    expect(none.bytes).toBe(sizes.levels[31].bytes['kdump-none']);
  });

  it('--max-size smaller than any output: no recommendation; a bad --write-speed is a usage error', () => {
    const r = vmsieve(['--advise', '--json', '--max-size', '1000', f.vmcore]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).recommended).toBeNull();
    expect(vmsieve(['--advise', '--write-speed', 'fast', f.vmcore]).status).toBe(2);
    expect(vmsieve(['--write-speed', '10', '--info', f.vmcore]).status).toBe(2);
  });

  const kdump = realFixtures().find((x) => x.name === 'dev-kdump-288m-4l-kaslr');
  it.skipIf(!kdump)('says what the recommended level leaves out that crash and drgn need (idt_table on a page read as free)', async () => {
    const patched = await dumpWithFreedSymbolPage(kdump!.vmcore, kdump!.name, 'idt_table');
    const a = JSON.parse(vmsieve(['--advise', '--json', patched.path]).stdout);
    expect(a.recommended.level & 16).toBe(16);
    expect(a.recommended.debugger.keepsEverything).toBe(false);
    expect(a.recommended.debugger.dropped).toContainEqual(expect.objectContaining({ what: 'idt_table', pfn: patched.pfn, reason: 'free' }));
    const text = vmsieve(['--advise', patched.path]).stdout;
    expect(text).toMatch(new RegExp(`Warning: -d ${a.recommended.level} leaves out \\d+ kernel object\\(s\\) crash and drgn need \\(.*idt_table`));
  }, 180_000);
});
