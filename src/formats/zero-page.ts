/** True when the page at `at` in `buf` is all zero bytes; word by word where the page is 4-byte aligned. */
export function isZeroPage(buf: Uint8Array, at: number, pageSize: number): boolean {
  const off = buf.byteOffset + at;
  if (off % 4 === 0) {
    const w = new Uint32Array(buf.buffer, off, pageSize >>> 2);
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
    return true;
  }
  for (let i = at; i < at + pageSize; i++) if (buf[i] !== 0) return false;
  return true;
}
