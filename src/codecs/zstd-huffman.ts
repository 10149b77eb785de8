/**
 * Huffman-coded literals for zstd (RFC 8878 §4.2): the tree description (weights, stored directly
 * or FSE-compressed), the prefix-code table derived from them, and the decoding of one stream.
 */
import { BackwardBits } from './zstd-bits.js';
import { FseState, readFseTable } from './zstd-fse.js';

const maxCodeLength = 11;

/** Decoding table indexed by the next `maxBits` bits: the symbol they start with and its code length. */
export interface HuffmanTable {
  maxBits: number;
  symbol: Uint8Array;
  length: Uint8Array;
}

/** Reads the tree description at `src[at]` (within `end`); returns the table and the bytes it took. */
export function readHuffmanTree(src: Uint8Array, at: number, end: number): { table: HuffmanTable; bytes: number } {
  if (at >= end) throw new Error('zstd Huffman tree description is missing');
  const header = src[at]!;
  let weights: Uint8Array;
  let bytes: number;
  if (header >= 128) {
    // Direct: header - 127 weights, 4 bits each, high nibble first.
    const count = header - 127;
    bytes = 1 + ((count + 1) >>> 1);
    if (at + bytes > end) throw new Error('zstd Huffman weights are truncated');
    weights = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const b = src[at + 1 + (i >>> 1)]!;
      weights[i] = i & 1 ? b & 15 : b >>> 4;
    }
  } else {
    bytes = 1 + header;
    if (header === 0 || at + bytes > end) throw new Error(`zstd Huffman FSE-compressed weights (${header} bytes) are truncated or empty`);
    weights = readFseWeights(src, at + 1, at + bytes);
  }
  return { table: huffmanTableFromWeights(weights), bytes };
}

/** FSE-compressed weights: one table, two interleaved states, until the stream is over-read. */
function readFseWeights(src: Uint8Array, start: number, end: number): Uint8Array {
  const { table, bytes } = readFseTable(src, start, end, maxCodeLength, 6, 'Huffman weights');
  const bits = new BackwardBits(src, start + bytes, end, 'Huffman weights stream');
  const states = [new FseState(table, bits), new FseState(table, bits)];
  const out: number[] = [];
  // Alternate the states; when an update over-reads the stream, the other state holds the last weight.
  for (let turn = 0; ; turn ^= 1) {
    if (out.length >= 255) throw new Error('zstd Huffman weights stream holds more than 255 weights');
    out.push(states[turn]!.symbol);
    states[turn]!.update();
    if (bits.overflowed) {
      out.push(states[turn ^ 1]!.symbol);
      break;
    }
  }
  if (out.length > 255) throw new Error('zstd Huffman weights stream holds more than 255 weights');
  return Uint8Array.from(out);
}

/**
 * The last symbol's weight is implied (the weights must sum to a power of two); codes are then
 * assigned in order of increasing weight, then symbol, each taking 2^(weight-1) table entries.
 */
function huffmanTableFromWeights(weights: Uint8Array): HuffmanTable {
  let sum = 0;
  for (const w of weights) {
    if (w > maxCodeLength) throw new Error(`zstd Huffman weight ${w} exceeds ${maxCodeLength}`);
    if (w > 0) sum += 1 << (w - 1);
  }
  if (sum === 0) throw new Error('zstd Huffman weights are all zero');
  const maxBits = 32 - Math.clz32(sum);
  if (maxBits > maxCodeLength) throw new Error(`zstd Huffman codes would be ${maxBits} bits long, more than ${maxCodeLength}`);
  const rest = (1 << maxBits) - sum;
  if ((rest & (rest - 1)) !== 0) throw new Error('zstd Huffman weights do not complete to a power of two');
  const all = new Uint8Array(weights.length + 1);
  all.set(weights);
  all[weights.length] = 32 - Math.clz32(rest);
  const size = 1 << maxBits;
  const table: HuffmanTable = { maxBits, symbol: new Uint8Array(size), length: new Uint8Array(size) };
  let pos = 0;
  for (let w = 1; w <= maxBits; w++) {
    for (let s = 0; s < all.length; s++) {
      if (all[s] !== w) continue;
      const span = 1 << (w - 1);
      table.symbol.fill(s, pos, pos + span);
      table.length.fill(maxBits + 1 - w, pos, pos + span);
      pos += span;
    }
  }
  return table;
}

/** Decodes exactly `count` literals from the stream `src[start, end)` into `out[at..]`; the stream must end exactly there. */
export function decodeHuffmanStream(table: HuffmanTable, src: Uint8Array, start: number, end: number, out: Uint8Array, at: number, count: number): void {
  const bits = new BackwardBits(src, start, end, 'Huffman literals stream');
  for (let i = 0; i < count; i++) {
    const v = bits.peek(table.maxBits);
    out[at + i] = table.symbol[v]!;
    bits.pos -= table.length[v]!;
    if (bits.overflowed) throw new Error('zstd Huffman literals stream ends early');
  }
  if (bits.pos !== 0) throw new Error(`zstd Huffman literals stream has ${bits.pos} bits left over`);
}
