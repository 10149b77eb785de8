import { describe, expect, test } from 'vitest';
import type { ElfNote } from '../../src/model/dump.js';
import { crashContext, findCrashContext } from '../../src/kernel/crash-context.js';
import type { DmesgRecord } from '../../src/kernel/dmesg/types.js';
import { ARM64 } from '../../src/kernel/arm64/arch.js';
import { RISCV64 } from '../../src/kernel/riscv64/arch.js';
import { PPC64 } from '../../src/kernel/ppc64/arch.js';
import { S390X } from '../../src/kernel/s390x/arch.js';
import { X86_64 } from '../../src/kernel/x86_64/arch.js';
import { formatTimestamp } from '../../src/kernel/dmesg/format.js';

function log(lines: string[], startSec = 100): DmesgRecord[] {
  return lines.map((text, i) => {
    const tsNsec = BigInt(startSec) * 1_000_000_000n + BigInt(i) * 1_000_000n;
    return { seq: 1000 + i, tsNsec, time: formatTimestamp(tsNsec).trim(), text, level: 4 };
  });
}

/** An NT_PRSTATUS note (x86_64 elf_prstatus, 336 bytes) with pr_pid and rip set. */
function prstatus(pid: number, rip: bigint): ElfNote {
  const desc = new Uint8Array(336);
  const v = new DataView(desc.buffer);
  v.setInt32(32, pid, true);
  v.setBigUint64(112 + 16 * 8, rip, true);
  return { name: 'CORE', type: 1, desc, fileOffset: 0, fileLength: 0 };
}

const OOPS = [
  'sd 0:0:0:0: [sda] Attached SCSI disk',
  'BUG: kernel NULL pointer dereference, address: 0000000000000000',
  '#PF: supervisor write access in kernel mode',
  '#PF: error_code(0x0002) - not-present page',
  'PGD 0 P4D 0 ',
  'Oops: 0002 [#1] PREEMPT SMP NOPTI',
  'CPU: 2 PID: 1234 Comm: bash worker Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2',
  'Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014',
  'RIP: 0010:mydrv_write+0x15/0x30 [mydrv]',
  'Code: 00 00 0f 1f 44 00 00 48 c7 04 25 00 00 00 00 01 00 00 00 <c3>',
  'RSP: 0018:ffffb1c0c0b3fe58 EFLAGS: 00010246',
  'Call Trace:',
  ' <TASK>',
  ' vfs_write+0xc7/0x3f0',
  ' ? do_wp_page+0x1e3/0x380',
  ' ksys_write+0x6b/0xf0',
  ' </TASK>',
  'Modules linked in: mydrv(OE)',
  'CR2: 0000000000000000',
  '---[ end trace 0000000000000000 ]---',
  'RIP: 0010:mydrv_write+0x15/0x30 [mydrv]',
  'Kernel panic - not syncing: Fatal exception',
  'Kernel Offset: 0x22200000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)',
  '---[ end Kernel panic - not syncing: Fatal exception ]---',
];

describe('crash context', () => {
  test('an Oops that panicked: event, CPU line, task, taint, RIP, call trace, registers by pid, uptime of the panic', () => {
    // Four CPUs, CPU 1 offline: notes for CPUs 0, 2, 3, so the crashing task is in the second note.
    const notes = [prstatus(0, 0x1n), prstatus(1234, 0xffffffffc0a01015n), prstatus(0, 0x3n)];
    const c = crashContext(log(OOPS), { notes, producer: 'kdump', arch: X86_64 });
    expect(c.kind).toBe('panic');
    expect(c.panicReason).toBe('Fatal exception');
    expect(c.event?.text).toBe('BUG: kernel NULL pointer dereference, address: 0000000000000000');
    expect(c.cpuLine?.text.startsWith('CPU: 2 PID: 1234')).toBe(true);
    expect(c.task).toEqual({ pid: 1234, comm: 'bash worker' });
    expect(c.tainted).toBe('Tainted: G           OE');
    expect(c.release).toBe('6.1.0-56-amd64');
    expect(c.ip).toBe('0010:mydrv_write+0x15/0x30 [mydrv]');
    expect(c.ipUserMode).toBe(false);
    expect(c.callTrace).toEqual(['vfs_write+0xc7/0x3f0', '? do_wp_page+0x1e3/0x380', 'ksys_write+0x6b/0xf0']);
    expect(c.crashingCpu).toBe(2);
    expect(c.crashingCpuSource).toBe('dmesg');
    expect(c.registers?.registers.rip).toBe('0xffffffffc0a01015');
    expect(c.uptime).toBe('100.021000');
    expect(c.uptimeNsec).toBe(100_021_000_000n);
    expect(c.lines.map((l) => l.kind)).toEqual(['bug', 'oops', 'cpu', 'hardware', 'ip', 'ip', 'panic', 'panic-end']);
  });

  test('an Oops without a panic (the system went on; e.g. a live QEMU dump)', () => {
    const c = findCrashContext(log(OOPS.slice(0, 20)), []);
    expect(c.kind).toBe('oops');
    expect(c.panic).toBeNull();
    expect(c.event?.kind).toBe('bug');
    expect(c.crashingCpu).toBe(2);
    expect(c.registers).toBeNull();
    expect(c.uptime).toBe('100.001000');
  });

  test('a sysrq panic after a survived WARNING: the panic\'s own CPU line wins (6.9+ format with UID)', () => {
    const lines = [
      'WARNING: CPU: 1 PID: 77 at kernel/foo.c:12 foo+0x1/0x2',
      'CPU: 1 UID: 0 PID: 77 Comm: kworker/1:1 Not tainted 6.12.118+deb13-amd64 #1  Debian 6.12.118-1',
      'BUG: sleeping function called from invalid context at mm/slab.h:100',
      'CPU: 1 UID: 0 PID: 77 Comm: kworker/1:1 Tainted: G        W          6.12.118+deb13-amd64 #1  Debian 6.12.118-1',
      'sysrq: Trigger a crash',
      'Kernel panic - not syncing: sysrq triggered crash',
      'CPU: 0 UID: 0 PID: 1 Comm: init Kdump: loaded Tainted: G        W          6.12.118+deb13-amd64 #1  Debian 6.12.118-1',
      'Call Trace:',
      ' <TASK>',
      ' dump_stack_lvl+0x44/0x5c',
      ' panic+0x118/0x2f4',
      'RIP: 0033:0x47b7a0',
      ' </TASK>',
    ];
    const c = findCrashContext(log(lines), [{ cpu: 0, pid: 1, registers: { rip: '0xffffffff81000000' } }, { cpu: 1, pid: 77, registers: {} }]);
    expect(c.kind).toBe('panic');
    expect(c.event).toBeNull();
    expect(c.crashingCpu).toBe(0);
    expect(c.task).toEqual({ pid: 1, comm: 'init', uid: 0 });
    expect(c.tainted).toBe('Tainted: G        W');
    expect(c.registers?.cpu).toBe(0);
    expect(c.ip).toBe('0033:0x47b7a0');
    expect(c.ipUserMode).toBe(true);
    expect(c.callTrace).toEqual(['dump_stack_lvl+0x44/0x5c', 'panic+0x118/0x2f4']);
    expect(c.uptime).toBe('100.005000');
  });

  test('no crash lines: kind none; a kdump with one CPU still names it from NT_PRSTATUS', () => {
    const quiet = log(['Linux version 6.1.0', 'all fine']);
    const c = findCrashContext(quiet, [{ cpu: 0, pid: 5, registers: { rip: '0x1' } }]);
    expect(c).toMatchObject({ kind: 'none', crashingCpu: null, registers: null, uptime: null, lines: [] });
    const k = findCrashContext(quiet, [{ cpu: 0, pid: 5, registers: { rip: '0x1' } }], true);
    expect(k).toMatchObject({ kind: 'none', crashingCpu: 0, crashingCpuSource: 'prstatus' });
    expect(k.registers?.registers.rip).toBe('0x1');
  });

  test('an arm64 Oops that panicked: "Internal error: Oops", pc and lr lines, "Call trace:", registers from the arm64 NT_PRSTATUS', () => {
    const lines = [
      'Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000',
      'Mem abort info:',
      '  ESR = 0x0000000096000045',
      'Internal error: Oops: 0000000096000045 [#1] SMP',
      'Modules linked in: mydrv(OE)',
      'CPU: 0 PID: 311 Comm: sh Kdump: loaded Tainted: G           OE      6.1.0-57-arm64 #1  Debian 6.1.192-3',
      'Hardware name: linux,dummy-virt (DT)',
      'pstate: 60000005 (nZCv daif -PAN -UAO -TCO -DIT -SSBS BTYPE=--)',
      'pc : mydrv_write+0x24/0x30 [mydrv]',
      'lr : vfs_write+0xdc/0x3a0',
      'sp : ffff80000a0fbd20',
      'Call trace:',
      ' mydrv_write+0x24/0x30 [mydrv]',
      ' vfs_write+0xdc/0x3a0',
      ' ksys_write+0x7c/0x11c',
      'Code: d2800001 f9400021 52800020 b9000020 (d65f03c0) ',
      '---[ end trace 0000000000000000 ]---',
      'Kernel panic - not syncing: Oops: Fatal exception',
    ];
    // elf_prstatus on arm64: 392 bytes, pr_reg = x0..x30, sp, pc, pstate from offset 112.
    const desc = new Uint8Array(392);
    const v = new DataView(desc.buffer);
    v.setInt32(32, 311, true);
    v.setBigUint64(112 + 31 * 8, 0xffff80000a0fbd20n, true);
    v.setBigUint64(112 + 32 * 8, 0xffffbfc0809a1024n, true);
    const c = crashContext(log(lines), { notes: [{ name: 'CORE', type: 1, desc, fileOffset: 0, fileLength: 0 }], producer: 'kdump', arch: ARM64 });
    expect(c.kind).toBe('panic');
    expect(c.panicReason).toBe('Oops: Fatal exception');
    expect(c.event?.text).toBe(lines[0]);
    expect(c.task).toEqual({ pid: 311, comm: 'sh' });
    expect(c.ip).toBe('mydrv_write+0x24/0x30 [mydrv]');
    expect(c.lr).toBe('vfs_write+0xdc/0x3a0');
    expect(c.ipUserMode).toBe(false);
    expect(c.callTrace).toEqual(['mydrv_write+0x24/0x30 [mydrv]', 'vfs_write+0xdc/0x3a0', 'ksys_write+0x7c/0x11c']);
    expect(c.registers?.registers).toMatchObject({ pc: '0xffffbfc0809a1024', sp: '0xffff80000a0fbd20', x0: '0x0000000000000000' });
    expect(Object.keys(c.registers!.registers)).toHaveLength(34);
    expect(c.lines.map((l) => l.kind)).toEqual(['fault', 'oops', 'cpu', 'hardware', 'ip', 'lr', 'panic']);
  });
  test('a riscv Oops that panicked: die()\'s "Oops [#1]", the symbolic epc and ra lines, "[<address>] func" frames, registers from the riscv64 NT_PRSTATUS', () => {
    const lines = [
      'Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000',
      'Current sh pgtable: 4K pagesize, 57-bit VAs, pgdp=0x0000000081f6d000',
      'Oops [#1]',
      'Modules linked in: mydrv(OE)',
      'CPU: 0 UID: 0 PID: 311 Comm: sh Kdump: loaded Tainted: G           OE      6.12.118+deb13-riscv64 #1  Debian 6.12.118-1',
      'Hardware name: riscv-virtio,qemu (DT)',
      'epc : mydrv_write+0x1c/0x2a [mydrv]',
      ' ra : vfs_write+0xaa/0x3ba',
      'epc : ffffffff01e7a01c ra : ffffffff80318cde sp : ff2000000010bd10',
      ' gp : ffffffff81db6e90 tp : ff60000002682ac0 t0 : 0000000000000000',
      'status: 0000000200000120 badaddr: 0000000000000000 cause: 000000000000000f',
      '[<ffffffff01e7a01c>] mydrv_write+0x1c/0x2a [mydrv]',
      '[<ffffffff80318cde>] vfs_write+0xaa/0x3ba',
      '[<ffffffff80319168>] ksys_write+0x6a/0xe8',
      'Code: 4781 4705 c398 6422 0141 8082 (c398) 8082 ',
      '---[ end trace 0000000000000000 ]---',
      'Kernel panic - not syncing: Fatal exception',
    ];
    // elf_prstatus on riscv64: 376 bytes, pr_reg = pc, then x1 (ra) … x31 (t6) from offset 112.
    const desc = new Uint8Array(376);
    const v = new DataView(desc.buffer);
    v.setInt32(32, 311, true);
    v.setBigUint64(112, 0xffffffff01e7a01cn, true);
    v.setBigUint64(112 + 8, 0xffffffff80318cden, true);
    v.setBigUint64(112 + 2 * 8, 0xff2000000010bd10n, true);
    v.setBigUint64(112 + 31 * 8, 0x6n, true);
    const c = crashContext(log(lines), { notes: [{ name: 'CORE', type: 1, desc, fileOffset: 0, fileLength: 0 }], producer: 'kdump', arch: RISCV64 });
    expect(c.kind).toBe('panic');
    expect(c.panicReason).toBe('Fatal exception');
    expect(c.event?.text).toBe(lines[0]);
    expect(c.task).toEqual({ pid: 311, comm: 'sh', uid: 0 });
    expect(c.ip).toBe('mydrv_write+0x1c/0x2a [mydrv]');
    expect(c.lr).toBe('vfs_write+0xaa/0x3ba');
    // After an Oops riscv prints its frames with no "Call Trace:" header (show_regs, then dump_backtrace).
    expect(c.callTrace).toEqual(lines.slice(11, 14));
    expect(c.registers?.registers).toMatchObject({ pc: '0xffffffff01e7a01c', ra: '0xffffffff80318cde', sp: '0xff2000000010bd10', t6: '0x0000000000000006' });
    expect(Object.keys(c.registers!.registers)).toHaveLength(32);
    expect(c.lines.map((l) => l.kind)).toEqual(['fault', 'oops', 'cpu', 'hardware', 'ip', 'lr', 'ip', 'panic']);
  });

  test.each([
    ['Oops [#1]', 'oops'],
    ['Oops - illegal instruction [#2]', 'oops'],
    ['Oops - load access fault [#1]', 'oops'],
    ['Kernel BUG [#1]', 'oops'],
    ['Oopsie [#1]', undefined],
  ])('riscv die() line %j is classified as %s', (text, kind) => {
    const c = findCrashContext(log(['first', text]), []);
    expect(c.lines.find((l) => l.text === text)?.kind).toBe(kind);
  });

  test('a ppc64 Oops that panicked: "Oops: Kernel access of bad area", NIP and LR lines, "[sp] [lr] symbol" frames, registers from the ppc64 NT_PRSTATUS', () => {
    const lines = [
      'BUG: Kernel NULL pointer dereference on write at 0x00000000',
      'Faulting instruction address: 0xc008000000a10024',
      'Oops: Kernel access of bad area, sig: 11 [#1]',
      'LE PAGE_SIZE=64K MMU=Radix SMP NR_CPUS=2048 NUMA pSeries',
      'Modules linked in: mydrv(OE)',
      'CPU: 1 PID: 311 Comm: sh Kdump: loaded Tainted: G           OE      6.1.0-57-powerpc64le #1  Debian 6.1.192-3',
      'Hardware name: IBM pSeries (emulated by qemu) POWER9 (architected) 0x4e1200 0xf000005 of:SLOF,HEAD pSeries',
      'NIP:  c008000000a10024 LR: c00000000052ec8c CTR: c008000000a10000',
      'REGS: c000000003d97a00 TRAP: 0300   Tainted: G           OE       (6.1.0-57-powerpc64le Debian 6.1.192-3)',
      'MSR:  800000000280b033 <SF,VEC,VSX,EE,FP,ME,IR,DR,RI,LE>  CR: 28002282  XER: 20000000',
      'GPR00: c00000000052ec8c c000000003d97ca0 c008000000a18000 0000000000000000 \n' + 'GPR04: 0000000000000000 0000000000000000 0000000000000000 0000000000000000 ',
      'NIP [c008000000a10024] mydrv_write+0x24/0x30 [mydrv]',
      'LR [c00000000052ec8c] vfs_write+0xfc/0x4c0',
      'Call Trace:',
      '[c000000003d97ca0] [c00000000052ec8c] vfs_write+0xfc/0x4c0 (unreliable)',
      '[c000000003d97d60] [c00000000052f260] ksys_write+0x90/0x160',
      '[c000000003d97db0] [c00000000002b020] system_call_exception+0x130/0x250',
      '--- interrupt: 3000 at 0x7fff8f5a4180',
      'NIP:  00007fff8f5a4180 LR: 00000000100c4180 CTR: 0000000000000000',
      'Instruction dump:',
      '---[ end trace 0000000000000000 ]---',
      'Kernel panic - not syncing: Fatal exception',
    ];
    // elf_prstatus on ppc64: 504 bytes, pr_reg = gpr0..gpr31, nip, msr, orig_gpr3, ctr, link, … from offset 112.
    const note = (pid: number, nip: bigint): ElfNote => {
      const desc = new Uint8Array(504);
      const v = new DataView(desc.buffer);
      v.setInt32(32, pid, true);
      v.setBigUint64(112 + 1 * 8, 0xc000000003d97ca0n, true);
      v.setBigUint64(112 + 32 * 8, nip, true);
      v.setBigUint64(112 + 36 * 8, 0xc00000000052ec8cn, true);
      return { name: 'CORE', type: 1, desc, fileOffset: 0, fileLength: 0 };
    };
    const c = crashContext(log(lines), { notes: [note(0, 0x1n), note(311, 0xc008000000a10024n)], producer: 'kdump', arch: PPC64 });
    expect(c.kind).toBe('panic');
    expect(c.panicReason).toBe('Fatal exception');
    expect(c.event?.text).toBe(lines[0]);
    expect(c.crashingCpu).toBe(1);
    expect(c.task).toEqual({ pid: 311, comm: 'sh' });
    expect(c.ip).toBe('mydrv_write+0x24/0x30 [mydrv]');
    expect(c.lr).toBe('vfs_write+0xfc/0x4c0');
    expect(c.ipUserMode).toBe(false);
    expect(c.callTrace).toEqual(['vfs_write+0xfc/0x4c0 (unreliable)', 'ksys_write+0x90/0x160', 'system_call_exception+0x130/0x250', '--- interrupt: 3000 at 0x7fff8f5a4180']);
    expect(c.registers?.registers).toMatchObject({ nip: '0xc008000000a10024', gpr1: '0xc000000003d97ca0', link: '0xc00000000052ec8c', gpr0: '0x0000000000000000' });
    expect(Object.keys(c.registers!.registers)).toHaveLength(44);
    expect(c.lines.map((l) => l.kind)).toEqual(['bug', 'oops', 'cpu', 'hardware', 'ip', 'lr', 'panic']);
  });
});

describe('crash context on s390x', () => {
  test('an Oops: the fault, the PSW line as the instruction pointer, reliable and unreliable frames, r15 and the PSW from NT_PRSTATUS', () => {
    const lines = [
      'Unable to handle kernel pointer dereference in virtual kernel address space',
      'Failing address: 0000000000000000 TEID: 0000000000000483',
      'Fault in home space mode while using kernel ASCE.',
      'Oops: 0004 ilc:3 [#1] SMP ',
      'Modules linked in: mydrv(OE)',
      'CPU: 0 PID: 412 Comm: sh Kdump: loaded Tainted: G           OE      6.1.0-50-s390x #1  Debian 6.1.176-1',
      'Hardware name: QEMU 8561 QEMU (KVM/Linux)',
      'Krnl PSW : 0704c00180000000 000003ff7fe2a0d2 (mydrv_write+0x12/0x30 [mydrv])',
      '           R:0 T:1 IO:1 EX:1 Key:0 M:1 W:0 P:0 AS:3 CC:0 PM:0 RI:0 EA:3',
      'Call Trace:',
      ' [<000003ff7fe2a0d2>] mydrv_write+0x12/0x30 [mydrv] ',
      '([<000000000046b7f4>] vfs_write+0xb4/0x3e0)',
      ' [<000000000046bc4a>] ksys_write+0x72/0x100 ',
      'Last Breaking-Event-Address:',
      ' [<000000000046b7f0>] vfs_write+0xb0/0x3e0',
      'Kernel panic - not syncing: Fatal exception: panic_on_oops',
    ];
    // elf_prstatus on s390x: pr_reg = psw mask, psw addr, r0–r15 (big-endian) from offset 112.
    const desc = new Uint8Array(336);
    const v = new DataView(desc.buffer);
    v.setInt32(32, 412);
    v.setBigUint64(112, 0x0704c00180000000n);
    v.setBigUint64(120, 0x000003ff7fe2a0d2n);
    v.setBigUint64(112 + 17 * 8, 0x0000037fffd13da0n);
    const c = crashContext(log(lines), { notes: [{ name: 'CORE', type: 1, desc, fileOffset: 0, fileLength: 0 }], producer: 'kdump', arch: S390X });
    expect(c.kind).toBe('panic');
    expect(c.event?.text).toBe(lines[0]);
    expect(c.task).toEqual({ pid: 412, comm: 'sh' });
    expect(c.ip).toBe('000003ff7fe2a0d2 (mydrv_write+0x12/0x30 [mydrv])');
    expect(c.callTrace).toEqual(['[<000003ff7fe2a0d2>] mydrv_write+0x12/0x30 [mydrv]', '([<000000000046b7f4>] vfs_write+0xb4/0x3e0)', '[<000000000046bc4a>] ksys_write+0x72/0x100']);
    expect(c.registers?.registers).toMatchObject({ psw_mask: '0x0704c00180000000', psw_addr: '0x000003ff7fe2a0d2', r15: '0x0000037fffd13da0' });
    expect(S390X.kernelStackPointer(c.registers!)).toBe(0x37fffd13da0n);
    expect(c.lines.map((l) => l.kind)).toEqual(['fault', 'oops', 'cpu', 'hardware', 'ip', 'panic']);
  });
});
