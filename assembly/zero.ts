// Marks out[i] = 1 when page i of the window is all zero bytes, else 0.
// pageSize must be a multiple of 128; the caller guarantees it.
export function scanZeroPages(window: usize, pages: u32, pageSize: u32, out: usize): u32 {
  let zeroCount: u32 = 0;
  for (let i: u32 = 0; i < pages; i++) {
    const start = window + <usize>i * <usize>pageSize;
    const end = start + <usize>pageSize;
    let p = start;
    let isZero = true;
    while (p < end) {
      const acc = v128.or(
        v128.or(v128.or(v128.load(p), v128.load(p, 16)), v128.or(v128.load(p, 32), v128.load(p, 48))),
        v128.or(v128.or(v128.load(p, 64), v128.load(p, 80)), v128.or(v128.load(p, 96), v128.load(p, 112))),
      );
      if (v128.any_true(acc)) {
        isZero = false;
        break;
      }
      p += 128;
    }
    store<u8>(out + i, isZero ? 1 : 0);
    if (isZero) zeroCount++;
  }
  return zeroCount;
}
