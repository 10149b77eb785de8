/**
 * The secret scan on the real dumps that hold no planted secret (those that do, with a NAME.secrets.json, are
 * secret-scan-planted-real.test.ts's): no "secret" finding at -d 31 (what a filtered dump is sent with) or -d 0
 * (every page); the "identifying" ones are counted (printed), and at -d 31 each lies in a page every level keeps.
 */
import { describe, expect, it } from 'vitest';
import { openVmcore } from '../../src/index.js';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';

const skip = realFixturesSkipReason();

describe.skipIf(skip)(`secret scan on the real dumps${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(skip ? [] : realFixtures().map((f) => [f.name, f.vmcore] as const))('%s: no secret at -d 31 or -d 0', async (name, path) => {
    const vmcore = await openVmcore(path);
    try {
      for (const level of [31, 0]) {
        const r = await vmcore.scanSecrets({ level, threads: 1 });
        const secrets = r.findings.filter((f) => f.category === 'secret');
        expect(secrets.map((f) => `${f.kind} ${f.masked} at 0x${f.paddr.toString(16)} ${f.object ?? ''}`)).toEqual([]);
        expect(r.scannedPages).toBeGreaterThan(1000);
        if (level === 31) expect(r.findings.filter((f) => f.droppedBy.length > 0)).toEqual([]);
        const counts: Record<string, number> = {};
        for (const f of r.findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
        console.log(`${name} -d ${level}: ${r.scannedPages} pages, identifying ${JSON.stringify(counts)}, ${r.builtIn} in the kernel image's read-only part`);
      }
    } finally {
      await vmcore.close();
    }
  }, 600_000);
});
