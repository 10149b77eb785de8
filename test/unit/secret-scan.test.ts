/**
 * The secret scan on a synthetic dump with a sample of every kind planted once in a page every level keeps and once
 * in a page some level drops: found at the right address, length and class where the level keeps the page, never
 * where it drops it, nothing else found, and no full text in what the CLI prints.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateVmcore, type PlantedSecret } from '../../fixtures/gen/generate.js';
import { K } from '../../fixtures/gen/model.js';
import { SECRET_SAMPLES } from '../../fixtures/gen/secrets.js';
import { openVmcore, type SecretScanResult } from '../../src/index.js';
import { kernelObjects } from '../../src/secrets/kernel-objects.js';
import { SECRET_PATTERNS } from '../../src/secrets/patterns.js';
import { vmsieve } from '../helpers/cli.js';
import { scanFile } from '../helpers/secret-scan.js';
import { repoRoot } from '../helpers/fixtures.js';

const dir = join(repoRoot, '.cache', 'gen');
const path = join(dir, 'secrets-64m.vmcore');
let planted: PlantedSecret[];

/** What each planted page kind is to the scan: its class at -d 31 and the level bits that drop it. */
const CLASS_OF: Record<number, { pageClass: string; droppedBy: number[] }> = {
  [K.KDATA]: { pageClass: 'kept', droppedBy: [] },
  [K.SLAB]: { pageClass: 'kept', droppedBy: [] },
  [K.CACHE]: { pageClass: 'cache', droppedBy: [2, 4] },
  [K.ANON]: { pageClass: 'user', droppedBy: [8] },
  [K.BUDDY]: { pageClass: 'free', droppedBy: [16] },
};

const scan = (level: number): Promise<SecretScanResult> => scanFile(path, level);

const plantedPfns = () => new Set(planted.map((p) => p.pfn));
/** The findings in planted pages (the boot log's own e-mail address lies elsewhere, and is checked to be identifying). */
const located = (r: SecretScanResult) => {
  const elsewhere = r.findings.filter((f) => !plantedPfns().has(f.pfn));
  expect(elsewhere.map((f) => f.category)).toEqual(elsewhere.map(() => 'identifying'));
  return r.findings.filter((f) => plantedPfns().has(f.pfn)).map((f) => ({ kind: f.kind, paddr: f.paddr, length: f.length, pageClass: f.pageClass, droppedBy: f.droppedBy }));
};
const expected = (list: PlantedSecret[]) => list.map((p) => ({ kind: p.kind, paddr: p.paddr, length: p.length, ...CLASS_OF[p.pageKind]! }));
const byAddress = <T extends { paddr: number }>(list: T[]) => [...list].sort((a, b) => a.paddr - b.paddr);

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  planted = (await generateVmcore(path, { memoryMiB: 64, secrets: true })).planted!;
});

describe('secret scan on planted secrets', () => {
  it('plants every kind the scan knows, in kept and dropped classes', () => {
    expect(SECRET_SAMPLES.map((s) => s.kind)).toEqual(SECRET_PATTERNS.map((p) => p.kind));
    expect(new Set(planted.map((p) => p.pageKind))).toEqual(new Set(Object.keys(CLASS_OF).map(Number)));
  });

  it('-d 0 finds every planted secret, at its address and class, and nothing else there', async () => {
    const r = await scan(0);
    expect(byAddress(located(r))).toEqual(byAddress(expected(planted)));
    expect(r.patterns.map((p) => p.kind)).toEqual(SECRET_PATTERNS.map((p) => p.kind));
    expect(r.scannedPages).toBeGreaterThan(0);
  });

  it('-d 31 finds those in kept pages only', async () => {
    const r = await scan(31);
    const kept = planted.filter((p) => CLASS_OF[p.pageKind]!.droppedBy.length === 0);
    expect(kept.length).toBe(SECRET_SAMPLES.length);
    expect(byAddress(located(r))).toEqual(byAddress(expected(kept)));
  });

  it('-d 8 keeps cache and free pages but not user pages', async () => {
    const r = await scan(8);
    expect(byAddress(located(r))).toEqual(byAddress(expected(planted.filter((p) => !CLASS_OF[p.pageKind]!.droppedBy.includes(8)))));
  });

  it('names a CPU stack or per-cpu page a finding lies in, without a symbol table too', async () => {
    const vmcore = await openVmcore(path);
    try {
      const objects = await kernelObjects(vmcore.dump, undefined, [{ pfn: 5, what: 'CPU 1 stack' }]);
      expect(objects.objectAt(5 * 4096 + 100)).toBe('CPU 1 stack');
      expect(objects.objectAt(6 * 4096)).toBeUndefined();
      expect(objects.builtIn(5 * 4096)).toBe(false);
    } finally {
      await vmcore.close();
    }
  });

  it('the CLI lists them masked: no full secret text in its output, exit 5', () => {
    for (const args of [['--scan-secrets', '-d', '31', path], ['--scan-secrets', '--json', '-d', '31', path]]) {
      const r = vmsieve(args);
      expect(r.status, r.stderr).toBe(5);
      const out = r.stdout + r.stderr;
      // What the output says of its own (pattern names and labels) may share words with a sample's fixed part.
      const vocabulary = JSON.stringify(SECRET_PATTERNS.map((p) => [p.kind, p.label]));
      for (const s of SECRET_SAMPLES) {
        const text = new TextDecoder('latin1').decode(s.bytes);
        // No run of 6 characters of a finding's middle appears (its first and last characters may).
        for (let i = 1; i + 6 < text.length - 1; i += 3) {
          const slice = text.slice(i, i + 6);
          if (!vocabulary.includes(slice)) expect(out.includes(slice), `${s.kind} text leaked`).toBe(false);
        }
      }
    }
  });
});
