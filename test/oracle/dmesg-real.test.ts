import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { readDmesg, readDmesgFromKernel } from '../../src/kernel/dmesg/index.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import { crashContext } from '../../src/kernel/crash-context.js';
import { describeDump } from '../../src/info/dump-info.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const skip = realFixturesSkipReason();
const fixtures = realFixtures();

async function withDump<T>(path: string, f: (d: Awaited<ReturnType<typeof openDump>>) => Promise<T>): Promise<T> {
  const src = await NodeFileSource.open(path);
  try {
    return await f(await openDump(src));
  } finally {
    await src.close();
  }
}

/** The marker the guest wrote to /dev/kmsg (named in the fixtures README and the oracle JSON). */
function marker(f: (typeof fixtures)[number]): string {
  return f.oracle.dump_dmesg?.marker ?? `VMCG-MARKER-${f.name}-seed`;
}

describe.skipIf(!!skip)(`dmesg of real dumps equals makedumpfile's --dump-dmesg${skip ? ` (skipped: ${skip})` : ''}`, () => {
  test.each(fixtures.map((f) => [f.name, f] as const))('%s: byte-identical to Debian makedumpfile 1.7.2', async (_name, f) => {
    const r = await withDump(f.vmcore, (d) => readDmesg(d));
    const want = readFileSync(f.dmesgFile);
    const got = Buffer.from(r.log, 'latin1');
    expect(r.layout).toBe('printk_ringbuffer');
    expect(r.complete).toBe(true);
    expect(r.warnings).toEqual([]);
    expect(got.length).toBe(want.length);
    expect(got.equals(want)).toBe(true);
    expect(r.log).toContain(marker(f));
    // The structured records carry the same text.
    expect(r.records.some((rec) => rec.text.includes(marker(f)))).toBe(true);
    expect(r.records.every((rec) => rec.level !== undefined && rec.level >= 0 && rec.level <= 7)).toBe(true);
    const seqs = r.records.map((rec) => rec.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  test.each(fixtures.map((f) => [f.name, f] as const))('%s: with the caller column, byte-identical to upstream makedumpfile', async (_name, f) => {
    const newFile = f.dmesgFile.replace(/\.dmesg\.txt$/, '.dmesg-new.txt');
    if (!existsSync(newFile)) return;
    const r = await withDump(f.vmcore, (d) => readDmesg(d, { callerId: true }));
    expect(Buffer.from(r.log, 'latin1').equals(readFileSync(newFile))).toBe(true);
  });

  test.each(fixtures.map((f) => [f.name, f] as const))('%s: --partial-dmesg is a suffix of the full log', async (_name, f) => {
    const [full, partial] = await withDump(f.vmcore, async (d) => [await readDmesg(d), await readDmesg(d, { partial: true })]);
    expect(full.log.endsWith(partial.log)).toBe(true);
    expect(partial.records.length).toBeGreaterThan(0);
  });

  // makedumpfile 1.7.2 run by hand on a copy of dev-kdump-288m-4l-kaslr.vmcore whose clear_seq was patched to
  // {seqcount 1, val[0] 7, val[1] 400} wrote 2330 bytes: the records from seq 400 on (the two VMCG-MARKER lines, the panic).
  test.each(fixtures.map((f) => [f.name, f] as const))('%s: --partial-dmesg after a (patched) dmesg -c', async (_name, f) => {
    await withDump(f.vmcore, async (d) => {
      const km = KernelMemory.open(d);
      const full = await readDmesg(d);
      const from = f.name === 'dev-kdump-288m-4l-kaslr' ? 400 : full.records.at(-10)!.seq;
      const clearSeq = km.info.symbol('clear_seq')!;
      const latch = new Uint8Array(24);
      const v = km.fields(latch);
      // makedumpfile reads the latch's sequence (a u32 and its padding) as a u64 and takes bit 0 of that.
      v.setU64(0, 1n);
      v.setU64(8, 7n);
      v.setU64(16, BigInt(from));
      const patched = {
        info: km.info,
        byteOrder: km.byteOrder,
        async readVirt(va: bigint, n: number) {
          const b = await km.readVirt(va, n);
          for (let i = 0; i < n; i++) {
            const k = va + BigInt(i) - clearSeq;
            if (k >= 0n && k < 24n) b[i] = latch[Number(k)];
          }
          return b;
        },
      };
      const part = await readDmesgFromKernel(patched, { partial: true, callerId: d.arch.dmesgCallerColumn });
      expect(part.records[0].seq).toBe(from);
      expect(part.records.length).toBe(full.records.filter((r) => r.seq >= from).length);
      expect(readFileSync(f.dmesgFile, 'latin1').endsWith(part.log)).toBe(true);
      if (f.name === 'dev-kdump-288m-4l-kaslr') expect(part.log.length).toBe(2330);
    });
  });

  test.each(fixtures.map((f) => [f.name, f] as const))('%s: crash context', async (_name, f) => {
    await withDump(f.vmcore, async (d) => {
      const { records } = await readDmesg(d);
      const c = crashContext(records, d);
      const text = readFileSync(f.dmesgFile, 'latin1');
      if (d.producer !== 'kdump') {
        // dumped by QEMU while running: nothing crashed
        expect(c.kind).toBe('none');
        expect(c.crashingCpu).toBeNull();
        return;
      }
      // The log may carry the caller column ("[      T1] ") after the time.
      const panicLine = /^\[ *(\d+\.\d{6})\] (?:\[ *[TC]\d+\] )?Kernel panic - not syncing: sysrq triggered crash$/m.exec(text)!;
      expect(c.kind).toBe('panic');
      expect(c.panicReason).toBe('sysrq triggered crash');
      expect(c.uptime).toBe(panicLine[1]);
      expect(c.crashingCpu).toBe(0);
      expect(c.crashingCpuSource).toBe('dmesg');
      expect(c.task).toMatchObject({ pid: 1, comm: 'init' });
      expect(c.tainted).toBe('Not tainted');
      expect(c.release).toBe(d.vmcoreinfo!.osRelease);
      if (d.arch.name === 'arm64') {
        // arm64's panic() dumps the stack ("Call trace:", lower case) but no registers: there is no "pc : " line.
        // The frames as the log prints them after "Call trace:" (offsets differ from one kernel build to another).
        const frames = /Call trace:\n((?:\[ *\d+\.\d{6}\]  \S+\n)+)/.exec(text)![1]!.split('\n').filter(Boolean).map((l) => l.replace(/^\[[^\]]*\]  /, ''));
        expect(frames[0]).toMatch(/^dump_backtrace\+/);
        expect(c.callTrace).toEqual(frames);
        expect(c.callTrace.some((x) => x.startsWith('write_sysrq_trigger+'))).toBe(true);
        expect(c.ip).toBeNull();
        expect(c.lines.map((l) => l.kind)).toEqual(expect.arrayContaining(['sysrq', 'panic', 'cpu', 'hardware']));
      } else if (d.arch.name === 'riscv64') {
        // riscv's panic() dumps the stack as "[<address>] function+off/size" frames after "Call Trace:", no registers.
        const frames = /Call Trace:\n((?:\[ *\d+\.\d{6}\] \[ *T1\] \[<[0-9a-f]{16}>\] \S+\n)+)/.exec(text)![1]!.split('\n').filter(Boolean).map((l) => l.replace(/^\[[^\]]*\] \[[^\]]*\] /, ''));
        expect(frames[0]).toMatch(/^\[<[0-9a-f]{16}>\] dump_backtrace\+/);
        expect(c.callTrace).toEqual(frames);
        expect(c.callTrace.some((x) => x.includes('] write_sysrq_trigger+'))).toBe(true);
        expect(c.ip).toBeNull();
        expect(c.lines.map((l) => l.kind)).toEqual(expect.arrayContaining(['sysrq', 'panic', 'cpu', 'hardware']));
      } else if (d.arch.name === 'ppc64le') {
        // ppc64's frames are "[sp] [return address] symbol+off/len" without a leading space, up to the system call's
        // "--- interrupt: 3000 at …"; the NIP and LR lines after it are the user-mode registers the call entered with.
        const frames = /Call Trace:\n((?:\[ *\d+\.\d{6}\] (?:\[[0-9a-f]+\] \[[0-9a-f]+\] |--- interrupt: ).*\n)+)/.exec(text)![1]!.split('\n').filter(Boolean);
        expect(c.callTrace).toEqual(frames.map((l) => l.replace(/^\[[^\]]*\] (?:\[[0-9a-f]+\] \[[0-9a-f]+\] )?/, '')));
        expect(c.callTrace.some((x) => x.startsWith('sysrq_handle_crash+'))).toBe(true);
        expect(c.callTrace.at(-1)).toMatch(/^--- interrupt: 3000 at 0x/);
        expect(c.ip).toBe(/^\[ *\d+\.\d{6}\] NIP \[[0-9a-f]+\] (.*)$/m.exec(text)![1]);
        expect(c.lr).toBe(/^\[ *\d+\.\d{6}\] LR \[[0-9a-f]+\] (.*)$/m.exec(text)![1]);
        expect(c.ipUserMode).toBe(true);
        expect(c.lines.map((l) => l.kind)).toEqual(expect.arrayContaining(['sysrq', 'panic', 'cpu', 'hardware', 'ip', 'lr']));
      } else {
        expect(c.callTrace.some((x) => x.startsWith('sysrq_handle_crash+'))).toBe(true);
        expect(c.ip).toBe('0033:0x47b7a0');
        expect(c.lines.map((l) => l.kind)).toEqual(expect.arrayContaining(['sysrq', 'panic', 'cpu', 'hardware', 'ip']));
      }
      // The registers are the kdump NT_PRSTATUS of CPU 0, the ones --info reports.
      const info = await describeDump(d);
      expect(c.registers?.registers[info.ipRegister]).toBe(info.crashingIp);
      expect(c.registers?.pid).toBe(1);
    });
  });
});
