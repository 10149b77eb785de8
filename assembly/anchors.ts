// Anchor search for the secret scan: finds every offset where some rule's two byte conditions hold, 16 offsets at
// a time. A rule is 8 bytes at `rules` (followed by 64 bytes a rule of scratch): offset1, lo1, hi1, offset2, lo2, hi2, 0, 0, and holds at offset i when
// lo1 <= byte[i + offset1] <= hi1 and lo2 <= byte[i + offset2] <= hi2 (offsets at most 15). Hits go to `out` as
// (offset, rule) u32 pairs, at most `cap` of them; the scan starts at `from` and stops after the block that fills
// `out` beyond cap - 16 * rules, so the caller goes on from the block after the last hit.

@inline function holds(window: usize, at: usize, rule: usize): bool {
  const o1 = <usize>load<u8>(rule);
  const o2 = <usize>load<u8>(rule, 3);
  const a = load<u8>(window + at + o1);
  const b = load<u8>(window + at + o2);
  return <u8>(a - load<u8>(rule, 1)) <= <u8>(load<u8>(rule, 2) - load<u8>(rule, 1)) && <u8>(b - load<u8>(rule, 4)) <= <u8>(load<u8>(rule, 5) - load<u8>(rule, 4));
}

export function findAnchors(window: usize, len: u32, from: u32, rules: usize, nRules: u32, out: usize, cap: u32): u32 {
  let count: u32 = 0;
  const limit = cap - 16 * nRules;
  // Each rule's bounds as vectors, after the rules (the caller leaves 64 bytes a rule there): made once a call.
  const vectors = rules + <usize>nRules * 8;
  for (let r: u32 = 0; r < nRules; r++) {
    const rule = rules + <usize>r * 8;
    const v = vectors + <usize>r * 64;
    v128.store(v, i8x16.splat(load<u8>(rule, 1)));
    v128.store(v, i8x16.splat(load<u8>(rule, 2) - load<u8>(rule, 1)), 16);
    v128.store(v, i8x16.splat(load<u8>(rule, 4)), 32);
    v128.store(v, i8x16.splat(load<u8>(rule, 5) - load<u8>(rule, 4)), 48);
  }
  let p = <usize>from;
  const end = <usize>len;
  // Whole blocks while every load (p + 15 + offset <= p + 30) stays inside the window.
  while (p + 32 <= end) {
    let any = i8x16.splat(0);
    for (let r: u32 = 0; r < nRules; r++) {
      const rule = rules + <usize>r * 8;
      const v = vectors + <usize>r * 64;
      const c1 = i8x16.le_u(i8x16.sub(v128.load(window + p + <usize>load<u8>(rule)), v128.load(v)), v128.load(v, 16));
      const c2 = i8x16.le_u(i8x16.sub(v128.load(window + p + <usize>load<u8>(rule, 3)), v128.load(v, 32)), v128.load(v, 48));
      any = v128.or(any, v128.and(c1, c2));
    }
    if (v128.any_true(any)) {
      for (let lane: usize = 0; lane < 16; lane++)
        for (let r: u32 = 0; r < nRules; r++)
          if (holds(window, p + lane, rules + <usize>r * 8)) {
            store<u32>(out + 8 + <usize>count * 8, <u32>(p + lane));
            store<u32>(out + 8 + <usize>count * 8, r, 4);
            count++;
          }
      if (count > limit) {
        store<u32>(out, <u32>(p + 16));
        return count;
      }
    }
    p += 16;
  }
  // The tail, one offset at a time; a condition past the end does not hold.
  for (; p < end; p++) {
    for (let r: u32 = 0; r < nRules; r++) {
      const rule = rules + <usize>r * 8;
      if (p + <usize>load<u8>(rule) >= end || p + <usize>load<u8>(rule, 3) >= end) continue;
      if (holds(window, p, rule)) {
        store<u32>(out + 8 + <usize>count * 8, <u32>p);
        store<u32>(out + 8 + <usize>count * 8, r, 4);
        count++;
      }
    }
    if (count > limit) {
      store<u32>(out, <u32>(p + 1));
      return count;
    }
  }
  store<u32>(out, len);
  return count;
}
