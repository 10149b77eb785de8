import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmsieve } from '../helpers/cli.js';
import { buildElfCore, prstatusNote } from '../helpers/elf-builder.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const skip = realFixturesSkipReason();

describe.skipIf(skip)(`vmsieve --info on real dumps${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(realFixtures().map((f) => [f.name, f] as const))('%s matches the makedumpfile record', (_name, f) => {
    const r = vmsieve(['--info', '--json', f.vmcore]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    const summary = f.oracle.vmcoreinfo_summary;
    expect(info.release).toBe(summary.OSRELEASE);
    // One CORE NT_PRSTATUS note per CPU (s390x dumps add a CORE NT_PRFPREG note for each).
    expect(info.cpus).toBe(f.oracle.elf.notes.filter((n: { name: string; type: number }) => n.name === 'CORE' && n.type === 1).length);
    expect(info.crashTime).toBe(summary.CRASHTIME ? new Date(Number(summary.CRASHTIME) * 1000).toISOString() : null);
    expect(info.maxPfn).toBe(f.oracle.counts_by_level['0'].total_pages);
    expect(info.pageSize).toBe(Number(summary.PAGESIZE));
    const arm64 = f.arch === 'arm64';
    const ppc64 = f.arch === 'ppc64le';
    const s390x = f.arch === 's390x';
    const riscv64 = f.arch === 'riscv64';
    expect(info.arch).toBe(f.arch);
    // makedumpfile's phys_base: NUMBER(phys_base) on x86_64, NUMBER(PHYS_OFFSET) on arm64 (a u64 shown signed), none
    // (0) on ppc64 and s390x, NUMBER(phys_ram_base) on riscv64.
    const physOffset = /^NUMBER\(PHYS_OFFSET\)=(0x[0-9a-f]+)$/m.exec(f.oracle.vmcoreinfo_text)?.[1];
    const physBase = arm64 ? Number(BigInt.asIntN(64, BigInt(physOffset!))) : ppc64 || s390x ? 0 : riscv64 ? Number(summary['NUMBER(phys_ram_base)']) : Number(summary['NUMBER(phys_base)']);
    expect(info.physBase).toBe(physBase);
    // riscv64 kernels without KASLR (as under QEMU's TCG) write no KERNELOFFSET.
    expect(info.kaslrOffset).toBe(summary.KERNELOFFSET === null && riscv64 ? null : Number.parseInt(summary.KERNELOFFSET, 16));
    // arm64: each level resolves PAGE_SHIFT − 3 bits of the VA the kernel runs with (64 − TCR_EL1.T1SZ) above PAGE_SHIFT
    const t1sz = /^NUMBER\(TCR_EL1_T1SZ\)=(0x[0-9a-f]+)$/m.exec(f.oracle.vmcoreinfo_text)?.[1];
    const shift = Math.log2(Number(summary.PAGESIZE));
    const arm64Levels = Math.ceil((64 - Number(t1sz) - shift) / (shift - 3));
    // riscv64: Sv39, Sv48, Sv57 resolve 9 bits a level above the 12-bit page offset.
    const riscv64Levels = (Number(summary['NUMBER(VA_BITS)']) - 12) / 9;
    // ppc64 (Book3S) Linux page tables have four levels with either MMU; s390x: a region-third root table (then segment
    // and page tables) while the kernel's address space ends below 4 TiB.
    expect(info.pagingLevels).toBe(arm64 ? arm64Levels : ppc64 ? 4 : s390x ? 3 : riscv64 ? riscv64Levels : summary['NUMBER(pgtable_l5_enabled)'] === '1' ? 5 : 4);
    // Registers from NT_PRSTATUS, and the crashing CPU's instruction pointer inside the kernel image's PT_LOAD.
    const riscvNames = ['pc', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', ...Array.from({ length: 8 }, (_, i) => `a${i}`), ...Array.from({ length: 10 }, (_, i) => `s${i + 2}`), 't3', 't4', 't5', 't6'];
    const names = arm64
      ? [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc', 'pstate']
      : ppc64
        ? [...Array.from({ length: 32 }, (_, i) => `gpr${i}`), 'nip', 'msr', 'ctr', 'link', 'xer', 'ccr', 'trap']
        : s390x
          ? ['psw_mask', 'psw_addr', ...Array.from({ length: 16 }, (_, i) => `r${i}`)]
          : riscv64
            ? riscvNames
            : ['rip', 'rsp', 'rbp', 'eflags'];
    expect(info.ipRegister).toBe(arm64 || riscv64 ? 'pc' : ppc64 ? 'nip' : s390x ? 'psw_addr' : 'rip');
    if (riscv64) expect(Object.keys(info.cpuRegisters[0].registers)).toEqual(riscvNames);
    for (const cpu of info.cpuRegisters) for (const name of names) expect(cpu.registers[name]).toMatch(/^0x[0-9a-f]{16}$/);
    if (f.oracle.generation.method === 'kdump') {
      // The first PT_LOAD maps the kernel image; on ppc64 the image is at the start of the linear map, which the
      // PT_LOADs of the first 512 MiB map (the first of them only the first 64 KiB page).
      const loads = f.oracle.elf.program_headers.filter((p: { type: string }) => p.type === 'LOAD');
      const ip = BigInt(info.crashingIp);
      const inLoad = (l: { vaddr: string; memsz: number }) => ip >= BigInt(l.vaddr) && ip < BigInt(l.vaddr) + BigInt(l.memsz);
      expect(ppc64 ? ip >= BigInt(`0x${summary['SYMBOL(_stext)']}`) && loads.some(inLoad) : inLoad(loads[0])).toBe(true);
    }
    const loads = f.oracle.elf.program_headers.filter((p: { type: string }) => p.type === 'LOAD');
    expect(info.segments).toEqual(
      loads.map((p: { paddr: string; memsz: number; offset: number; filesz: number }) => ({
        physStart: Number(p.paddr),
        physEnd: Number(p.paddr) + p.memsz,
        fileOffset: p.offset,
        fileSize: p.filesz,
      })),
    );
    expect(info.vmcoreinfo['SYMBOL(mem_section)']).toBe(summary['SYMBOL(mem_section)']);
  });

  it('prints the facts for a person without --json', () => {
    const f = realFixtures()[0];
    const r = vmsieve(['--info', f.vmcore]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Kernel release\s+: 6\.1/);
    expect(r.stdout).toMatch(/Max pfn\s+: \d+/);
  });
});

describe('vmsieve --info on bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmsieve-cli-'));
  const file = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it.each([
    ['empty', new Uint8Array(0), /is empty/],
    ['random', Uint8Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) & 0xff), /not a kernel crash dump/],
    ['not-core', buildElfCore({ type: 3, loads: [{ paddr: 0, data: new Uint8Array(4096) }] }), /not a core dump/],
    ['elf32', buildElfCore({ eiClass: 1 }), /32-bit/],
  ])('%s: a clear message and exit 1', (name, bytes, message) => {
    const r = vmsieve(['--info', file(name, bytes)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a missing file says so', () => {
    const r = vmsieve(['--info', join(dir, 'nope')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot open/);
  });

  it('no VMCOREINFO: facts printed, the consequence explained, exit 3', () => {
    const r = vmsieve(['--info', '--json', file('noinfo', buildElfCore({ notes: [prstatusNote()], loads: [{ paddr: 0, data: new Uint8Array(4096) }] }))]);
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout).release).toBeNull();
    expect(r.stderr).toMatch(/no page filtering is possible/);
  });

  it('an unknown option is a usage error', () => {
    const r = vmsieve(['--frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option --frobnicate/);
  });
});
