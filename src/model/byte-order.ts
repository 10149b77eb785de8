/** The order a dump's multi-byte fields are stored in: its CPU's (ELF EI_DATA; a kdump header's machine). */
export type ByteOrder = 'little' | 'big';

/**
 * A dump's multi-byte fields over some bytes, read and written in the dump's byte order: the one place that knows
 * which order that is, so no reader or writer picks it on its own. Out-of-range offsets throw (DataView's RangeError).
 */
export class Fields {
  private readonly view: DataView;
  private readonly le: boolean;

  constructor(
    readonly bytes: Uint8Array,
    readonly order: ByteOrder,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.le = order === 'little';
  }

  u16(at: number): number {
    return this.view.getUint16(at, this.le);
  }
  u32(at: number): number {
    return this.view.getUint32(at, this.le);
  }
  i32(at: number): number {
    return this.view.getInt32(at, this.le);
  }
  u64(at: number): bigint {
    return this.view.getBigUint64(at, this.le);
  }
  i64(at: number): bigint {
    return this.view.getBigInt64(at, this.le);
  }
  u8(at: number): number {
    return this.view.getUint8(at);
  }
  /**
   * The two C bitfields packed into the byte at `at`, the first declared `firstBits` wide (printk's `flags:5, level:3`):
   * GCC allocates bitfields from the least significant bit on little-endian machines, from the most significant on
   * big-endian ones.
   */
  bitfieldPair(at: number, firstBits: number): [first: number, second: number] {
    const b = this.view.getUint8(at);
    const secondBits = 8 - firstBits;
    return this.le ? [b & ((1 << firstBits) - 1), b >> firstBits] : [b >> secondBits, b & ((1 << secondBits) - 1)];
  }
  setU16(at: number, v: number): void {
    this.view.setUint16(at, v, this.le);
  }
  setU32(at: number, v: number): void {
    this.view.setUint32(at, v, this.le);
  }
  setI32(at: number, v: number): void {
    this.view.setInt32(at, v, this.le);
  }
  setU64(at: number, v: bigint): void {
    this.view.setBigUint64(at, v, this.le);
  }
  setI64(at: number, v: bigint): void {
    this.view.setBigInt64(at, v, this.le);
  }
  /** A u64 below 2^53 from a number, without a BigInt: the hot descriptor writer's. */
  setU64Number(at: number, v: number): void {
    const low = v % 0x1_0000_0000;
    const high = Math.floor(v / 0x1_0000_0000);
    this.view.setUint32(this.le ? at : at + 4, low, this.le);
    this.view.setUint32(this.le ? at + 4 : at, high, this.le);
  }
}
