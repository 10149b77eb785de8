// Literals section (RFC 8878 §3.1.1.3.1).

/** Raw_Literals_Block header + the bytes; returns the end. */
export function writeRawLiterals(op: usize, lit: usize, n: usize): usize {
  if (n < 32) {
    store<u8>(op++, <u8>(n << 3)); // type 0, Size_Format 00: 5-bit size
  } else if (n < 4096) {
    store<u8>(op, <u8>((1 << 2) | ((n & 15) << 4))); // Size_Format 01: 12-bit size
    store<u8>(op, <u8>(n >> 4), 1);
    op += 2;
  } else {
    store<u8>(op, <u8>((3 << 2) | ((n & 15) << 4))); // Size_Format 11: 20-bit size
    store<u8>(op, <u8>(n >> 4), 1);
    store<u8>(op, <u8>(n >> 12), 2);
    op += 3;
  }
  memory.copy(op, lit, n);
  return op + n;
}

export function writeLiterals(op: usize, lit: usize, n: usize): usize {
  return writeRawLiterals(op, lit, n);
}
