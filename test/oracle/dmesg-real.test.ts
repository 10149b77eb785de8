import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { openDump } from '../../src/formats/open-dump.js';
import { NodeFileSource } from '../../src/io/node-source.js';
import { readDmesg } from '../../src/kernel/dmesg/index.js';
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
});
