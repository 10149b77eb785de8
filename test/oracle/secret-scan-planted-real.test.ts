/**
 * The secret scan on the real dumps whose guest held planted secrets (fixtures/real/secrets-kdump-288m, made by
 * scripts/vmcore-gen-secrets/make-secrets-vmcore.sh): a different fake value of every kind the scan knows in the
 * kernel keyring (user keys) and the kernel log (/dev/kmsg), which every dump level keeps, and in a file's page cache
 * and a live process's anonymous memory, which -d 31 drops. NAME.secrets.json lists each value and where it went.
 * A finding is matched to a planted value by its bytes, read back with libkdumpfile, not by vmsieve's word.
 */
import { describe, expect, it } from 'vitest';
import type { SecretFinding } from '../../src/index.js';
import { plantedFixtures, realFixturesSkipReason, type RealFixture } from '../helpers/fixtures.js';
import { hasReaders } from '../helpers/oracle-outputs.js';
import { KERNEL_LOCATIONS, plantedValues, readPhysHex, type PlantedValue } from '../helpers/planted-secrets.js';
import { scanFile } from '../helpers/secret-scan.js';

const skip = realFixturesSkipReason() ?? (hasReaders ? undefined : 'python3 with kdumpfile and drgn (/usr/bin/python3) is not installed');
const planted = skip ? [] : plantedFixtures();

/** Where each location's values lie to the scan: the page class at -d 31 and the level bits that drop it. */
const CLASS_OF: Record<PlantedValue['location'], { pageClass: readonly string[]; droppedBy: number[] }> = {
  keyring: { pageClass: ['kept'], droppedBy: [] },
  kmsg: { pageClass: ['kept'], droppedBy: [] },
  // a file written and synced: private page cache (buffer heads), which -d 4 drops and -d 2 keeps
  'page-cache': { pageClass: ['cache', 'cachePrivate'], droppedBy: [4] },
  user: { pageClass: ['user'], droppedBy: [8] },
};

interface Read extends SecretFinding {
  bytes: Buffer;
}

async function scanRead(f: RealFixture, level: number): Promise<Read[]> {
  const r = await scanFile(f.vmcore, level);
  const hex = readPhysHex(f.vmcore, r.findings);
  return r.findings.map((x, i) => ({ ...x, bytes: Buffer.from(hex[i]!, 'hex') }));
}

const valueOf = (v: PlantedValue) => Buffer.from(v.hex, 'hex');
const copiesOf = (found: Read[], v: PlantedValue) => found.filter((x) => x.bytes.equals(valueOf(v)));
const shown = (x: Read) => `${x.kind} ${x.masked} ${x.length} B at 0x${x.paddr.toString(16)} ${x.pageClass}${x.object ? ` in ${x.object}` : ''}`;

function countsByKind(list: readonly Read[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const x of list) counts[x.kind] = (counts[x.kind] ?? 0) + 1;
  return counts;
}

describe.skipIf(skip || planted.length === 0)(`secret scan on real dumps with planted secrets${skip ? ` (skipped: ${skip})` : planted.length === 0 ? ' (skipped: no NAME.secrets.json beside a real dump)' : ''}`, () => {
  it.each(planted.map((f) => [f.name, f] as const))('%s -d 31: each secret in kernel memory found once, as its kind; none of the page cache or user memory', async (name, f) => {
    const values = plantedValues(f.plantedFile);
    const found = await scanRead(f, 31);
    const kernel = values.filter((v) => KERNEL_LOCATIONS.includes(v.location));
    expect(kernel.length).toBeGreaterThan(20);
    for (const v of kernel) {
      const copies = copiesOf(found, v);
      expect(copies.map((x) => ({ kind: x.kind, pageClass: x.pageClass, droppedBy: x.droppedBy })), v.id).toEqual([{ kind: v.kind, pageClass: 'kept', droppedBy: [] }]);
      // /dev/kmsg writes land in the printk ring buffer's text area
      if (v.location === 'kmsg') expect(copies[0]!.object, v.id).toMatch(/^__log_buf\+/);
    }
    const dropped = values.filter((v) => !KERNEL_LOCATIONS.includes(v.location));
    const leaked = found.filter((x) => dropped.some((v) => valueOf(v).includes(x.bytes) || x.bytes.includes(valueOf(v))));
    expect(leaked.map(shown)).toEqual([]);
    // no secret in this guest's kernel memory but the planted ones
    const secrets = found.filter((x) => x.category === 'secret');
    expect(secrets.filter((x) => !kernel.some((v) => x.bytes.equals(valueOf(v)))).map(shown)).toEqual([]);
    const other = found.filter((x) => !values.some((v) => x.bytes.equals(valueOf(v))));
    expect(other.map((x) => x.category)).toEqual(other.map(() => 'identifying'));
    console.log(`${name} -d 31: ${found.length} findings, ${found.length - other.length} planted; identifying ones not planted: ${JSON.stringify(countsByKind(other))}`);
  }, 600_000);

  it.each(planted.map((f) => [f.name, f] as const))('%s -d 0: every planted copy found once, as its kind, in its page class', async (name, f) => {
    const values = plantedValues(f.plantedFile);
    const found = await scanRead(f, 0);
    for (const v of values) {
      const { pageClass, droppedBy } = CLASS_OF[v.location];
      const copies = copiesOf(found, v);
      expect(copies.map((x) => x.kind), v.id).toEqual([v.kind]);
      expect(pageClass, `${v.id}: ${shown(copies[0]!)}`).toContain(copies[0]!.pageClass);
      expect(copies[0]!.droppedBy, v.id).toEqual(droppedBy);
    }
    const other = found.filter((x) => !values.some((v) => x.bytes.equals(valueOf(v))));
    expect(other.filter((x) => x.category === 'secret').map(shown)).toEqual([]);
    console.log(`${name} -d 0: ${found.length} findings, ${found.length - other.length} planted; identifying ones not planted: ${JSON.stringify(countsByKind(other))}`);
  }, 600_000);
});
