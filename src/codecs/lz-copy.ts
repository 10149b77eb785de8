/**
 * The two copies every LZ77-style page decoder (LZO, snappy, zstd) makes: literals from the input,
 * and a back-reference from earlier output. Callers check bounds first; these only copy.
 */

/** Copies `n` bytes of `src` at `ip` to `dst` at `op`; short runs byte by byte, where that beats a subarray and set. */
export function copyInput(dst: Uint8Array, op: number, src: Uint8Array, ip: number, n: number): void {
  if (n > 16) dst.set(src.subarray(ip, ip + n), op);
  else for (let i = 0; i < n; i++) dst[op + i] = src[ip + i]!;
}

/** Copies `n` bytes from `distance` bytes back in `dst` to `dst` at `op`. */
export function copyBack(dst: Uint8Array, op: number, distance: number, n: number): void {
  const from = op - distance;
  // copyWithin only when source and destination do not overlap: an overlapping copy repeats bytes it is writing.
  if (distance >= n && n > 16) dst.copyWithin(op, from, from + n);
  else for (let i = 0; i < n; i++) dst[op + i] = dst[from + i]!;
}
