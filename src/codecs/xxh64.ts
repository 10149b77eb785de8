/**
 * XXH64 (seed 0), for the zstd content checksum (RFC 8878 §3.1.1: its low 32 bits). BigInt keeps
 * it short; it only runs for frames that carry a checksum, which makedumpfile's do not.
 */
const mask = (1n << 64n) - 1n;
const p1 = 11400714785074694791n;
const p2 = 14029467366897019727n;
const p3 = 1609587929392839161n;
const p4 = 9650029242287828579n;
const p5 = 2870177450012600261n;

const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & mask;
const round = (acc: bigint, lane: bigint): bigint => (rotl((acc + lane * p2) & mask, 31n) * p1) & mask;
const merge = (h: bigint, acc: bigint): bigint => (((h ^ round(0n, acc)) * p1 + p4) & mask);

/** The low 32 bits of XXH64(data, seed 0). */
export function xxh64Low32(data: Uint8Array): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.length;
  let at = 0;
  let h: bigint;
  if (n >= 32) {
    const v = [(p1 + p2) & mask, p2, 0n, (mask + 1n - p1) & mask];
    for (; at + 32 <= n; at += 32) for (let i = 0; i < 4; i++) v[i] = round(v[i]!, view.getBigUint64(at + 8 * i, true));
    h = (rotl(v[0]!, 1n) + rotl(v[1]!, 7n) + rotl(v[2]!, 12n) + rotl(v[3]!, 18n)) & mask;
    for (const acc of v) h = merge(h, acc);
  } else {
    h = p5;
  }
  h = (h + BigInt(n)) & mask;
  for (; at + 8 <= n; at += 8) h = (rotl(h ^ round(0n, view.getBigUint64(at, true)), 27n) * p1 + p4) & mask;
  if (at + 4 <= n) {
    h = (rotl(h ^ ((BigInt(view.getUint32(at, true)) * p1) & mask), 23n) * p2 + p3) & mask;
    at += 4;
  }
  for (; at < n; at++) h = (rotl(h ^ ((BigInt(data[at]!) * p5) & mask), 11n) * p1) & mask;
  h = ((h ^ (h >> 33n)) * p2) & mask;
  h = ((h ^ (h >> 29n)) * p3) & mask;
  h ^= h >> 32n;
  return Number(h & 0xffff_ffffn);
}
