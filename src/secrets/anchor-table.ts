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

/** A set of bytes as the kernel's nibble tables see it: the low nibbles and the high nibbles present, a bit each. */
type Nibbles = readonly [lo: number, hi: number];

interface Rule {
  anchor: Anchor;
  patterns: number[];
  /** The bytes the key's condition at each key offset accepts (the kernel passes every byte of their nibble product). */
  key: Nibbles[];
}

const popcount = (n: number): number => {
  let c = 0;
  for (; n; n &= n - 1) c++;
  return c;
};

/** The key nibbles of two rules or buckets together, at each key offset. */
const unionKey = (a: readonly Nibbles[], b: readonly Nibbles[]): Nibbles[] => a.map(([lo, hi], j) => [lo | b[j]![0], hi | b[j]![1]] as const);

/**
 * How many byte triples a bucket's nibble test passes, every byte value counted alike: weighting printable text or small
 * integers as more common chose no better buckets on real kernel memory.
 */
const firing = (key: readonly Nibbles[]): number => key.reduce((n, [lo, hi]) => n * popcount(lo) * popcount(hi), 1);

function keyOf(anchor: Anchor): Nibbles[] {
  return Array.from({ length: KEY_BYTES }, (_, j) => {
    const cond = anchor.conditions.find(([offset]) => offset === anchor.key + j);
    if (!cond) throw new Error(`internal: an anchor has no condition at key offset ${j}`);
    let [lo, hi] = [0, 0];
    for (let b = cond[1]; b <= cond[2]; b++) {
      lo |= 1 << (b & 15);
      hi |= 1 << (b >> 4);
    }
    return [lo, hi] as const;
  });
}

/** A bucket of rules and the key nibbles its test passes (the union of its rules'). */
interface Bucket {
  rules: Rule[];
  key: Nibbles[];
}

/** Groups the rules into at most BUCKETS buckets, each time merging the two whose union fires least often. */
function buckets(rules: Rule[]): Bucket[] {
  const groups = rules.map((r): Bucket => ({ rules: [r], key: r.key }));
  while (groups.length > BUCKETS) {
    let best: [number, number, number] = [0, 1, Infinity];
    for (let a = 0; a < groups.length; a++)
      for (let b = a + 1; b < groups.length; b++) {
        const [x, y] = [groups[a]!.key, groups[b]!.key];
        const cost = firing(unionKey(x, y)) - firing(x) - firing(y);
        if (cost < best[2]) best = [a, b, cost];
      }
    const [merged] = groups.splice(best[1], 1);
    const into = groups[best[0]]!;
    into.rules.push(...merged!.rules);
    into.key = unionKey(into.key, merged!.key);
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
  const ordered = groups.flatMap((g) => g.rules);
  const bytes = new Uint8Array(RULES_AT + ordered.length * RULE_BYTES);
  let first = 0;
  groups.forEach((group, b) => {
    for (let j = 0; j < KEY_BYTES; j++) {
      const [lo, hi] = group.key[j]!;
      for (let n = 0; n < 16; n++) {
        if (lo & (1 << n)) bytes[32 * j + n]! |= 1 << b;
        if (hi & (1 << n)) bytes[32 * j + 16 + n]! |= 1 << b;
      }
    }
    bytes[96 + b] = first;
    bytes[104 + b] = group.rules.length;
    first += group.rules.length;
  });
  ordered.forEach(({ anchor }, r) => {
    const at = RULES_AT + r * RULE_BYTES;
    bytes[at] = anchor.key;
    bytes[at + 1] = anchor.conditions.length;
    anchor.conditions.forEach((c, i) => bytes.set(c, at + 2 + 3 * i));
  });
  return { bytes, rules: ordered.length, patternsOf: ordered.map((r) => r.patterns) };
}
