// Adler-32 (RFC 1950 §8.2), 16 bytes per step with wasm SIMD.
//
// For a run of k 16-byte blocks x[0..k-1][0..15], starting from (a, b):
//   a' = a + Σ x
//   b' = b + 16·k·a + 16·Σ_j (k-1-j)·S_j + Σ_j Σ_i (16-i)·x[j][i]      (S_j = sum of block j)
// The middle term is kept as a running "sum of previous prefix sums" (vps). All arithmetic is
// mod 2^32, which is exact as long as the true b' < 2^32: that holds for k·16 ≤ 5552 (zlib's NMAX).

const BASE: u32 = 65521;
const MAX_BLOCKS: u32 = 346; // 5536 bytes ≤ NMAX

export function adler32(p: usize, n: u32): u32 {
  let a: u32 = 1;
  let b: u32 = 0;
  const wLo = i16x8(16, 15, 14, 13, 12, 11, 10, 9);
  const wHi = i16x8(8, 7, 6, 5, 4, 3, 2, 1);
  while (n >= 16) {
    let blocks = n >> 4;
    if (blocks > MAX_BLOCKS) blocks = MAX_BLOCKS;
    n -= blocks << 4;
    b += a * (blocks << 4);
    let vs1 = i32x4.splat(0);
    let vps = i32x4.splat(0);
    let vs2 = i32x4.splat(0);
    for (let j: u32 = 0; j < blocks; j++) {
      const v = v128.load(p);
      vps = i32x4.add(vps, vs1);
      vs1 = i32x4.add(vs1, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v)));
      vs2 = i32x4.add(
        vs2,
        i32x4.add(
          i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(v), wLo),
          i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(v), wHi),
        ),
      );
      p += 16;
    }
    const s1 = <u32>(i32x4.extract_lane(vs1, 0) + i32x4.extract_lane(vs1, 1) + i32x4.extract_lane(vs1, 2) + i32x4.extract_lane(vs1, 3));
    const ps = <u32>(i32x4.extract_lane(vps, 0) + i32x4.extract_lane(vps, 1) + i32x4.extract_lane(vps, 2) + i32x4.extract_lane(vps, 3));
    const s2 = <u32>(i32x4.extract_lane(vs2, 0) + i32x4.extract_lane(vs2, 1) + i32x4.extract_lane(vs2, 2) + i32x4.extract_lane(vs2, 3));
    a += s1;
    b += (ps << 4) + s2;
    a %= BASE;
    b %= BASE;
  }
  while (n > 0) {
    a += <u32>load<u8>(p);
    b += a;
    p++;
    n--;
  }
  a %= BASE;
  b %= BASE;
  return (b << 16) | a;
}
