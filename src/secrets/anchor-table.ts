import { SECRET_PATTERNS, type Anchor, type ByteCondition, type SecretPattern } from './patterns.js';

/** Key offsets the kernel tests at once (assembly/anchors.ts), and how many buckets its nibble tables hold. */
const KEY_BYTES = 3;
const BUCKETS = 8;
const RULES_AT = 112;
const RULE_BYTES = 32;
const MAX_CONDITIONS = (RULE_BYTES - 2) / 3;

/** The kernel's table (see assembly/anchors.ts) and, per rule in it, the patterns it serves. */
export interface AnchorTable {
  bytes: Uint8Array;
  rules: number;
  patternsOf: number[][];
}

interface Rule {
  anchor: Anchor;
  patterns: number[];
  /** The bytes the key's condition at each key offset accepts. */
  key: Set<number>[];
}

/** The nibble halves of a set of bytes: the kernel accepts every byte whose low nibble is in one and high in the other. */
const nibbles = (bytes: Iterable<number>): [Set<number>, Set<number>] => {
  const lo = new Set<number>();
  const hi = new Set<number>();
  for (const b of bytes) {
    lo.add(b & 15);
    hi.add(b >> 4);
  }
  return [lo, hi];
};

/**
 * How many byte triples a bucket's nibble test passes, every byte value counted alike: weighting printable text or small
 * integers as more common chose no better buckets on real kernel memory.
 */
function firing(rules: readonly Rule[]): number {
  let n = 1;
  for (let j = 0; j < KEY_BYTES; j++) {
    const [lo, hi] = nibbles(rules.flatMap((r) => [...r.key[j]!]));
    n *= lo.size * hi.size;
  }
  return n;
}

function keyOf(anchor: Anchor): Set<number>[] {
  return Array.from({ length: KEY_BYTES }, (_, j) => {
    const cond = anchor.conditions.find(([offset]) => offset === anchor.key + j);
    if (!cond) throw new Error(`internal: an anchor has no condition at key offset ${j}`);
    const [, lo, hi] = cond;
    return new Set(Array.from({ length: hi - lo + 1 }, (_, i) => lo + i));
  });
}

/** Groups the rules into at most BUCKETS buckets, each time merging the two whose union fires least often. */
function buckets(rules: Rule[]): Rule[][] {
  const groups = rules.map((r) => [r]);
  while (groups.length > BUCKETS) {
    let best: [number, number, number] = [0, 1, Infinity];
    for (let a = 0; a < groups.length; a++)
      for (let b = a + 1; b < groups.length; b++) {
        const cost = firing([...groups[a]!, ...groups[b]!]) - firing(groups[a]!) - firing(groups[b]!);
        if (cost < best[2]) best = [a, b, cost];
      }
    groups[best[0]]!.push(...groups.splice(best[1], 1)[0]!);
  }
  return groups;
}

const conditionKey = (conds: readonly ByteCondition[]): string => conds.map((c) => c.join(',')).join(';');

export function anchorTable(patterns: readonly SecretPattern[] = SECRET_PATTERNS): AnchorTable {
  const rules = new Map<string, Rule>();
  patterns.forEach((p, i) =>
    p.anchors.forEach((anchor) => {
      if (anchor.conditions.length > MAX_CONDITIONS) throw new Error(`internal: an anchor of ${p.kind} has more than ${MAX_CONDITIONS} conditions`);
      const id = `${anchor.key}|${conditionKey(anchor.conditions)}`;
      const rule = rules.get(id) ?? { anchor, patterns: [], key: keyOf(anchor) };
      rule.patterns.push(i);
      rules.set(id, rule);
    }),
  );
  const groups = buckets([...rules.values()]);
  const ordered = groups.flat();
  const bytes = new Uint8Array(RULES_AT + ordered.length * RULE_BYTES);
  let first = 0;
  groups.forEach((group, b) => {
    for (let j = 0; j < KEY_BYTES; j++) {
      const [lo, hi] = nibbles(group.flatMap((r) => [...r.key[j]!]));
      for (const l of lo) bytes[32 * j + l]! |= 1 << b;
      for (const h of hi) bytes[32 * j + 16 + h]! |= 1 << b;
    }
    bytes[96 + b] = first;
    bytes[104 + b] = group.length;
    first += group.length;
  });
  ordered.forEach(({ anchor }, r) => {
    const at = RULES_AT + r * RULE_BYTES;
    bytes[at] = anchor.key;
    bytes[at + 1] = anchor.conditions.length;
    anchor.conditions.forEach((c, i) => bytes.set(c, at + 2 + 3 * i));
  });
  return { bytes, rules: ordered.length, patternsOf: ordered.map((r) => r.patterns) };
}
