import { describe, expect, it } from 'vitest';
import { Fields } from '../../src/model/byte-order.js';

describe("a dump's fields in its byte order", () => {
  it('reads and writes every width both ways round, and the same bytes mean different numbers', () => {
    const bytes = Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x88]);
    const le = new Fields(bytes, 'little');
    const be = new Fields(bytes, 'big');
    expect([le.u16(0), be.u16(0)]).toEqual([0x0201, 0x0102]);
    expect([le.u32(0), be.u32(0)]).toEqual([0x04030201, 0x01020304]);
    expect([le.i32(4), be.i32(4)]).toEqual([-0x77f8f9fb, 0x05060788]);
    expect([le.u64(0), be.u64(0)]).toEqual([0x8807060504030201n, 0x0102030405060788n]);
    expect(le.i64(0)).toBe(0x8807060504030201n - (1n << 64n));
    const out = new Uint8Array(8);
    new Fields(out, 'big').setU64Number(0, 0x1_2345_6789);
    expect(Array.from(out)).toEqual([0, 0, 0, 1, 0x23, 0x45, 0x67, 0x89]);
    new Fields(out, 'little').setU64Number(0, 0x1_2345_6789);
    expect(Array.from(out)).toEqual([0x89, 0x67, 0x45, 0x23, 1, 0, 0, 0]);
    expect(() => le.u64(1)).toThrow(RangeError);
  });

  it("splits a byte of C bitfields as GCC packs them: printk's flags:5 level:3", () => {
    // flags 0b00011, level 6: little-endian packs flags in the low bits, big-endian in the high ones.
    expect(new Fields(Uint8Array.of((6 << 5) | 3), 'little').bitfieldPair(0, 5)).toEqual([3, 6]);
    expect(new Fields(Uint8Array.of((3 << 3) | 6), 'big').bitfieldPair(0, 5)).toEqual([3, 6]);
  });
});
