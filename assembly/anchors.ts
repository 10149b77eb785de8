// Anchor search for the secret scan, 16 offsets at a time. Each rule has a three-byte key; a first test looks up all
// of them at once in nibble tables (each byte's low and high nibble index two 16-byte tables whose entries are
// bitmasks of up to 8 buckets of rules; a bucket survives where both nibbles of the byte at key offsets 0, 1 and 2 do),
// then each surviving offset is checked exactly against the conditions of the rules in its buckets.
//
// The table (built by src/secrets/anchor-table.ts):
//   0..95     for key offset j = 0..2: low-nibble table at 32j, high-nibble table at 32j + 16
//   96..103   bucket b's first rule; 104..111: its number of rules
//   112..     rules, RULE_BYTES each: key, condition count, then (offset, lo, hi) per condition,
//             holding at `at` when lo <= byte[at + offset] <= hi for every condition
// A rule's match starts `key` bytes before its key. Keys are looked for at offsets [from, stop), conditions anywhere in
// [0, len). Hits go to `out` + 8 as (at, rule) u32 pairs, at most `cap`; the scan stops after the block that fills
// `out` beyond cap - 16 * rules, storing at `out` the offset the caller goes on from (`stop` when done).

const RULES_AT: usize = 112;
const RULE_BYTES: usize = 32;

@inline function ruleHolds(window: usize, len: usize, rule: usize, at: isize): bool {
  if (at < 0) return false;
  const n = <usize>load<u8>(rule, 1);
  for (let c: usize = 0; c < n; c++) {
    const cond = rule + 2 + c * 3;
    const p = <usize>at + <usize>load<u8>(cond);
    if (p >= len) return false;
    const lo = load<u8>(cond, 1);
    if (<u8>(load<u8>(window + p) - lo) > <u8>(load<u8>(cond, 2) - lo)) return false;
  }
  return true;
}

/** Emits the hits of the rules in `buckets` whose key is at offset q; returns the new hit count. */
@inline function checkBuckets(window: usize, len: usize, table: usize, q: usize, buckets: u32, out: usize, count: u32): u32 {
  while (buckets != 0) {
    const b = <usize>ctz(buckets);
    buckets &= buckets - 1;
    const first = <usize>load<u8>(table + 96 + b);
    const end = first + <usize>load<u8>(table + 104 + b);
    for (let r = first; r < end; r++) {
      const rule = table + RULES_AT + r * RULE_BYTES;
      const at = <isize>q - <isize>load<u8>(rule);
      if (ruleHolds(window, len, rule, at)) {
        store<u32>(out + 8 + <usize>count * 8, <u32>at);
        store<u32>(out + 8 + <usize>count * 8, <u32>r, 4);
        count++;
      }
    }
  }
  return count;
}

@inline function bucketsOf(table: usize, j: usize, b: u8): u32 {
  return <u32>(load<u8>(table + j * 32 + <usize>(b & 15)) & load<u8>(table + j * 32 + 16 + <usize>(b >> 4)));
}

export function findAnchors(window: usize, len: u32, from: u32, stop: u32, table: usize, nRules: u32, out: usize, cap: u32): u32 {
  let count: u32 = 0;
  const limit = cap - 16 * nRules;
  const end = <usize>len;
  const nibble = i8x16.splat(15);
  const lo0 = v128.load(table), hi0 = v128.load(table, 16);
  const lo1 = v128.load(table, 32), hi1 = v128.load(table, 48);
  const lo2 = v128.load(table, 64), hi2 = v128.load(table, 80);
  let p = <usize>from;
  // Each block's bytes are looked up in all three tables once; the key's second and third bytes of a lane lie one and
  // two lanes on, in the next block for the last lanes, so a block is tested when the next one has been looked up.
  const keysEnd = <usize>stop;
  if (p + 32 <= end && p + 16 <= keysEnd) {
    let v = v128.load(window + p);
    let a0 = v128.and(i8x16.swizzle(lo0, v128.and(v, nibble)), i8x16.swizzle(hi0, v128.and(i16x8.shr_u(v, 4), nibble)));
    let a1 = v128.and(i8x16.swizzle(lo1, v128.and(v, nibble)), i8x16.swizzle(hi1, v128.and(i16x8.shr_u(v, 4), nibble)));
    let a2 = v128.and(i8x16.swizzle(lo2, v128.and(v, nibble)), i8x16.swizzle(hi2, v128.and(i16x8.shr_u(v, 4), nibble)));
    while (p + 32 <= end && p + 16 <= keysEnd) {
      v = v128.load(window + p, 16);
      const l = v128.and(v, nibble);
      // High nibbles by a 16-bit shift and the nibble mask: V8 makes i8x16.shr_u's byte mask anew at every use.
      const h = v128.and(i16x8.shr_u(v, 4), nibble);
      const b0 = v128.and(i8x16.swizzle(lo0, l), i8x16.swizzle(hi0, h));
      const b1 = v128.and(i8x16.swizzle(lo1, l), i8x16.swizzle(hi1, h));
      const b2 = v128.and(i8x16.swizzle(lo2, l), i8x16.swizzle(hi2, h));
      const m = v128.and(
        a0,
        v128.and(
          i8x16.shuffle(a1, b1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16),
          i8x16.shuffle(a2, b2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17),
        ),
      );
      if (v128.any_true(m)) {
        let lanes = i8x16.bitmask(i8x16.ne(m, i8x16.splat(0)));
        while (lanes != 0) {
          const lane = <usize>ctz(lanes);
          lanes &= lanes - 1;
          const q = p + lane;
          count = checkBuckets(window, end, table, q, bucketsOf(table, 0, load<u8>(window + q)) & bucketsOf(table, 1, load<u8>(window + q, 1)) & bucketsOf(table, 2, load<u8>(window + q, 2)), out, count);
        }
        if (count > limit) {
          store<u32>(out, <u32>(p + 16));
          return count;
        }
      }
      a0 = b0;
      a1 = b1;
      a2 = b2;
      p += 16;
    }
  }
  // The tail, one offset at a time; a key byte past the end matches nothing.
  for (; p < keysEnd && p + 2 < end; p++) {
    count = checkBuckets(window, end, table, p, bucketsOf(table, 0, load<u8>(window + p)) & bucketsOf(table, 1, load<u8>(window + p, 1)) & bucketsOf(table, 2, load<u8>(window + p, 2)), out, count);
    if (count > limit) {
      store<u32>(out, <u32>(p + 1));
      return count;
    }
  }
  store<u32>(out, stop);
  return count;
}
