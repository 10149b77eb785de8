/**
 * FSE (tANS) decoding tables for zstd (RFC 8878 §4.1): reading a table description, spreading
 * symbols over the states, and the predefined distributions of §3.1.1.3.2.2.
 */
import { BackwardBits, ForwardBits } from './zstd-bits.js';

/** One table of `1 << log` states: the symbol each state emits, and how to reach the next state. */
export interface FseTable {
  log: number;
  symbol: Uint8Array;
  nbBits: Uint8Array;
  baseline: Uint16Array;
}

/**
 * Reads a table description starting at `src[at]` (ending no later than `end`); probabilities are
 * given for symbols 0..maxSymbol at most, with an accuracy log of at most `maxLog`.
 */
export function readFseTable(src: Uint8Array, at: number, end: number, maxSymbol: number, maxLog: number, what: string): { table: FseTable; bytes: number } {
  const bits = new ForwardBits(src, at, end, `${what} FSE table description`);
  const log = bits.read(4) + 5;
  if (log > maxLog) throw new Error(`zstd ${what} FSE accuracy log ${log} exceeds ${maxLog}`);
  const probs = new Int16Array(maxSymbol + 1);
  // Values 0..remaining are possible (probability + 1); small values take one bit fewer.
  let remaining = (1 << log) + 1;
  let threshold = 1 << log;
  let nbBits = log + 1;
  let symbol = 0;
  while (remaining > 1 && symbol <= maxSymbol) {
    const max = 2 * threshold - 1 - remaining;
    let value: number;
    const low = bits.peek(nbBits - 1);
    if (low < max) {
      value = low;
      bits.pos += nbBits - 1;
    } else {
      value = bits.read(nbBits);
      if (value >= threshold) value -= max;
    }
    const prob = value - 1;
    remaining -= prob < 0 ? 1 : prob;
    probs[symbol++] = prob;
    if (prob === 0) {
      // Runs of zero-probability symbols follow as 2-bit repeat counts; 3 means "and more".
      for (;;) {
        const repeat = bits.read(2);
        symbol += repeat;
        if (repeat !== 3) break;
      }
    }
    if (remaining < 1) throw new Error(`zstd ${what} FSE probabilities exceed the table size`);
    while (remaining < threshold) {
      nbBits--;
      threshold >>= 1;
    }
  }
  if (remaining !== 1) throw new Error(`zstd ${what} FSE probabilities do not fill the table (symbols past ${maxSymbol}?)`);
  return { table: buildFseTable(probs, log), bytes: bits.bytesUsed };
}

/** Spreads the symbols over the states (§4.1.1) and derives each state's next-state rule. */
export function buildFseTable(probs: ArrayLike<number>, log: number): FseTable {
  const size = 1 << log;
  const table: FseTable = { log, symbol: new Uint8Array(size), nbBits: new Uint8Array(size), baseline: new Uint16Array(size) };
  // "Less than 1" symbols take the last states, one each.
  let high = size - 1;
  for (let s = 0; s < probs.length; s++) if (probs[s] === -1) table.symbol[high--] = s;
  const mask = size - 1;
  const step = (size >>> 1) + (size >>> 3) + 3;
  let pos = 0;
  for (let s = 0; s < probs.length; s++) {
    for (let i = 0; i < probs[s]!; i++) {
      table.symbol[pos] = s;
      do pos = (pos + step) & mask;
      while (pos > high);
    }
  }
  const next = new Uint16Array(probs.length);
  for (let s = 0; s < probs.length; s++) next[s] = probs[s] === -1 ? 1 : Math.max(0, probs[s]!);
  for (let state = 0; state < size; state++) {
    const n = next[table.symbol[state]!]!++;
    const nb = log - (31 - Math.clz32(n));
    table.nbBits[state] = nb;
    table.baseline[state] = (n << nb) - size;
  }
  return table;
}

/** A one-state table that always emits `symbol` (RLE mode). */
export function rleFseTable(symbol: number): FseTable {
  return { log: 0, symbol: Uint8Array.of(symbol), nbBits: new Uint8Array(1), baseline: new Uint16Array(1) };
}

/** One FSE decoder state over a backward bit stream. */
export class FseState {
  state: number;
  constructor(
    private readonly table: FseTable,
    private readonly bits: BackwardBits,
  ) {
    this.state = bits.read(table.log);
  }

  get symbol(): number {
    return this.table.symbol[this.state]!;
  }

  update(): void {
    this.state = this.table.baseline[this.state]! + this.bits.read(this.table.nbBits[this.state]!);
  }
}

// The predefined distributions (RFC 8878 §3.1.1.3.2.2), used by sequences in Predefined_Mode.
export const predefinedLiteralLengths = buildFseTable(
  [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1],
  6,
);
export const predefinedMatchLengths = buildFseTable(
  [1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1],
  6,
);
export const predefinedOffsets = buildFseTable([1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1], 5);
