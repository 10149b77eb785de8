import { beforeAll, describe, expect, it } from 'vitest';
import { anchorTable, type AnchorTable } from '../../src/secrets/anchor-table.js';
import { SECRET_PATTERNS } from '../../src/secrets/patterns.js';
import { AnchorScanner } from '../../src/wasm/anchor-scan.js';
import { bytesAt, instantiateKernels, type KernelExports } from '../../src/wasm/kernels.js';
import { nodeWasmModule } from '../../src/wasm/node-module.js';

/** Every (start, rule) where all of the rule's conditions hold, found the slow way from the patterns themselves. */
function reference(table: AnchorTable, bytes: Uint8Array): string[] {
  const anchors = table.patternsOf.map((ps) => {
    // The rule's anchor is one of its first pattern's; find it by the table's own encoding of key and conditions.
    return SECRET_PATTERNS[ps[0]!]!.anchors;
  });
  const hits: string[] = [];
  for (let at = 0; at < bytes.length; at++)
    anchors.forEach((candidates, r) => {
      const rule = table.bytes.subarray(112 + r * 32, 112 + r * 32 + 32);
      const anchor = candidates.find((a) => a.key === rule[0] && a.conditions.length === rule[1] && a.conditions.every((c, i) => c.every((v, j) => rule[2 + 3 * i + j] === v)));
      if (!anchor) throw new Error(`rule ${r} is none of its pattern's anchors`);
      // A rule is looked for by its key, which must lie inside the bytes too.
      if (at + anchor.key + 2 >= bytes.length) return;
      if (anchor.conditions.every(([o, lo, hi]) => at + o < bytes.length && bytes[at + o]! >= lo && bytes[at + o]! <= hi)) hits.push(`${at}:${r}`);
    });
  return hits.sort();
}

describe('the anchor kernel', () => {
  let k: KernelExports;
  let table: AnchorTable;
  let scanner: AnchorScanner;
  let window: number;
  const scan = (bytes: Uint8Array, from?: number, stop?: number): string[] => {
    bytesAt(k, window, bytes.length).set(bytes);
    return [...scanner.hits(window, bytes.length, from, stop)].map((h) => `${h.offset}:${h.rule}`).sort();
  };

  beforeAll(async () => {
    k = await instantiateKernels(await nodeWasmModule());
    table = anchorTable();
    scanner = new AnchorScanner(k, table.bytes, table.rules);
    window = k.arenaAlloc(1 << 20) >>> 0;
  });

  it('finds exactly the offsets where some rule holds, in text, binary and every planted anchor', () => {
    // Random bytes drawn mostly from the bytes the rules name, so that near-misses of every kind occur, with each
    // pattern's anchors planted whole at random places (some across the block and tail boundaries).
    let seed = 12345;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const alphabet = Array.from(new Set(SECRET_PATTERNS.flatMap((p) => p.anchors.flatMap((a) => a.conditions.flatMap(([, lo, hi]) => [lo, hi, (lo + hi) >> 1])))));
    for (const len of [65536, 4096 + 7, 33, 17, 3, 2]) {
      const bytes = Uint8Array.from({ length: len }, () => (rand(4) === 0 ? rand(256) : alphabet[rand(alphabet.length)]!));
      for (const p of SECRET_PATTERNS)
        for (const a of p.anchors) {
          const at = rand(len);
          for (const [o, lo, hi] of a.conditions) if (at + o < len) bytes[at + o] = lo + rand(hi - lo + 1);
        }
      const want = reference(table, bytes);
      expect(scan(bytes)).toEqual(want);
      if (len !== 65536) continue;
      expect(want.length).toBeGreaterThan(SECRET_PATTERNS.length);
      // Keys looked for in part of the bytes only (the scan skips all-zero pages so): conditions still see all of them.
      const keyAt = (hit: string) => {
        const [at, r] = hit.split(':').map(Number) as [number, number];
        return at + table.bytes[112 + r * 32]!;
      };
      for (const [from, stop] of [[100, 5000], [8192, 8193], [4096 + 3, 12288 - 5], [60000, 65536]] as const) {
        const part = want.filter((h) => keyAt(h) >= from && keyAt(h) < stop);
        expect(scan(bytes, from, stop)).toEqual(part);
        if (stop - from > 1000) expect(part.length).toBeGreaterThan(0);
      }
    }
  });

  it('goes on after its hit buffer fills: every hit of a run with more hits than the buffer holds', () => {
    // "a@" repeated: an e-mail anchor at every other byte, 2^17 - 1 of them.
    const bytes = Uint8Array.from({ length: 1 << 18 }, (_, i) => (i % 2 === 0 ? 0x61 : 0x40));
    const hits = scan(bytes);
    expect(hits.length).toBe((1 << 17) - 1);
    expect(hits).toEqual(reference(table, bytes));
  });

  it('puts every anchor of every pattern in the table, in at most 8 buckets', () => {
    const served = new Set(table.patternsOf.flat());
    expect([...served].sort((a, b) => a - b)).toEqual(SECRET_PATTERNS.map((_, i) => i));
    const counts = Array.from(table.bytes.subarray(104, 112));
    expect(counts.reduce((a, b) => a + b)).toBe(table.rules);
  });
});
