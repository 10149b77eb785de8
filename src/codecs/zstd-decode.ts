/**
 * zstd frame decoder (makedumpfile `-z` stores each page as one frame, as ZSTD_compress writes it),
 * written from RFC 8878: frame header, raw/RLE/compressed blocks, Huffman or raw literals, and
 * FSE-coded sequences with repeat offsets. Dictionaries and skippable frames are refused; the
 * content checksum, when present, is verified (XXH64).
 *
 * Safe on any input: the output never grows past `capacity`, every read is bounds-checked, every
 * loop consumes input or is bounded by the output, and anything malformed throws an Error
 * starting "zstd".
 */
import { copyBack, copyInput } from './lz-copy.js';
import { BackwardBits } from './zstd-bits.js';
import { FseState, predefinedLiteralLengths, predefinedMatchLengths, predefinedOffsets, readFseTable, rleFseTable, type FseTable } from './zstd-fse.js';
import { decodeHuffmanStream, readHuffmanTree, type HuffmanTable } from './zstd-huffman.js';
import { xxh64Low32 } from './xxh64.js';

const magic = 0xfd2fb528;
const maxBlockSize = 128 * 1024;

// Literal-length and match-length codes: value = baseline + that many extra bits (§3.1.1.3.2.1.1).
const literalLengthBaseline = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
const literalLengthExtraBits = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const matchLengthBaseline = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051,
  4099, 8195, 16387, 32771, 65539,
];
const matchLengthExtraBits = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
];

/** What later blocks of a frame may reuse: the last Huffman table, the last FSE tables, the repeat offsets. */
interface FrameState {
  out: Uint8Array;
  /** Bytes of output so far. */
  op: number;
  windowSize: number;
  huffman?: HuffmanTable;
  literalLengths?: FseTable;
  offsets?: FseTable;
  matchLengths?: FseTable;
  repeats: [number, number, number];
}

/** Decodes one zstd frame that must regenerate at most `capacity` bytes; returns what it regenerates. */
export function zstdDecompress(src: Uint8Array, capacity: number): Uint8Array {
  const need = (at: number, n: number, what: string): void => {
    if (at + n > src.length) throw new Error(`zstd frame is truncated: ${what} at byte ${at} needs ${n} bytes, ${Math.max(0, src.length - at)} left`);
  };
  need(0, 5, 'the frame header');
  const m = readLe(src, 0, 4);
  if (m !== magic) {
    if (m >>> 4 === 0x184d2a5) throw new Error('zstd skippable frames are not supported');
    throw new Error(`zstd frame has bad magic 0x${m.toString(16)}`);
  }
  const descriptor = src[4]!;
  const contentSizeFlag = descriptor >>> 6;
  const singleSegment = (descriptor >>> 5) & 1;
  const hasChecksum = (descriptor >>> 2) & 1;
  const dictionaryIdFlag = descriptor & 3;
  if (descriptor & 8) throw new Error('zstd frame header has its reserved bit set');
  let at = 5;
  let windowSize = 0;
  if (!singleSegment) {
    need(at, 1, 'the window descriptor');
    const w = src[at++]!;
    const base = 2 ** (10 + (w >>> 3));
    windowSize = base + (base / 8) * (w & 7);
  }
  const dictionaryIdBytes = [0, 1, 2, 4][dictionaryIdFlag]!;
  need(at, dictionaryIdBytes, 'the dictionary ID');
  if (dictionaryIdBytes && readLe(src, at, dictionaryIdBytes) !== 0) throw new Error('zstd frame needs a dictionary; vmsieve has none');
  at += dictionaryIdBytes;
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag]!;
  need(at, contentSizeBytes, 'the frame content size');
  let contentSize: number | undefined;
  if (contentSizeBytes === 8) contentSize = readLe(src, at, 4) + readLe(src, at + 4, 4) * 2 ** 32;
  else if (contentSizeBytes) contentSize = readLe(src, at, contentSizeBytes) + (contentSizeBytes === 2 ? 256 : 0);
  at += contentSizeBytes;
  if (contentSize !== undefined && contentSize > capacity) throw new Error(`zstd frame content size ${contentSize} exceeds the page size ${capacity}`);
  if (singleSegment) windowSize = contentSize!;

  const frame: FrameState = { out: new Uint8Array(capacity), op: 0, windowSize, repeats: [1, 4, 8] };
  const blockLimit = Math.min(maxBlockSize, Math.max(windowSize, 1));
  for (let last = 0; !last; ) {
    need(at, 3, 'a block header');
    const header = readLe(src, at, 3);
    at += 3;
    last = header & 1;
    const type = (header >>> 1) & 3;
    const size = header >>> 3;
    if (size > blockLimit) throw new Error(`zstd block of ${size} bytes exceeds the maximum block size ${blockLimit}`);
    if (type === 3) throw new Error(`zstd block at byte ${at - 3} has the reserved type`);
    if (type === 0 || type === 1) {
      need(at, type === 0 ? size : 1, type === 0 ? 'a raw block' : 'an RLE block');
      reserve(frame, size);
      if (type === 0) frame.out.set(src.subarray(at, at + size), frame.op);
      else frame.out.fill(src[at]!, frame.op, frame.op + size);
      frame.op += size;
      at += type === 0 ? size : 1;
    } else {
      need(at, size, 'a compressed block');
      decodeCompressedBlock(src, at, at + size, frame, blockLimit);
      at += size;
    }
  }
  if (hasChecksum) {
    need(at, 4, 'the content checksum');
    const expected = readLe(src, at, 4);
    const actual = xxh64Low32(frame.out.subarray(0, frame.op));
    if (actual !== expected) throw new Error(`zstd content checksum 0x${actual.toString(16)} does not match the frame's 0x${expected.toString(16)}`);
    at += 4;
  }
  if (at !== src.length) throw new Error(`zstd frame ends at byte ${at} but ${src.length - at} bytes follow`);
  if (contentSize !== undefined && frame.op !== contentSize) throw new Error(`zstd frame regenerates ${frame.op} bytes, not its content size ${contentSize}`);
  return frame.op === capacity ? frame.out : frame.out.slice(0, frame.op);
}

/** Little-endian unsigned integer of 1..4 bytes. */
function readLe(src: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + src[at + i]!;
  return v;
}

/** Throws unless `n` more bytes of output fit the page. */
function reserve(frame: FrameState, n: number): void {
  if (frame.op + n > frame.out.length) throw new Error(`zstd output would grow past the page size ${frame.out.length} (at ${frame.op}, ${n} more bytes)`);
}

/** A compressed block: literals section, then sequences section (§3.1.1.3). */
function decodeCompressedBlock(src: Uint8Array, start: number, end: number, frame: FrameState, blockLimit: number): void {
  const blockStart = frame.op;
  const literalLimit = Math.min(blockLimit, frame.out.length - frame.op);
  const { literals, at } = decodeLiterals(src, start, end, frame, literalLimit);
  decodeSequences(src, at, end, frame, literals);
  if (frame.op - blockStart > blockLimit) throw new Error(`zstd block regenerates ${frame.op - blockStart} bytes, more than the maximum ${blockLimit}`);
}

/** The literals section (§3.1.1.3.1): returns the literals and where the sequences section starts. */
function decodeLiterals(src: Uint8Array, start: number, end: number, frame: FrameState, limit: number): { literals: Uint8Array; at: number } {
  if (start >= end) throw new Error('zstd compressed block has no literals section');
  const b0 = src[start]!;
  const type = b0 & 3;
  const sizeFormat = (b0 >>> 2) & 3;
  const header = (n: number): number => {
    if (start + n > end) throw new Error('zstd literals section header is truncated');
    return readLe(src, start, Math.min(n, 4)) + (n === 5 ? src[start + 4]! * 2 ** 32 : 0);
  };
  if (type === 0 || type === 1) {
    // Raw or RLE: 5, 12 or 20 bits of regenerated size.
    let size: number;
    let at: number;
    if ((sizeFormat & 1) === 0) [size, at] = [b0 >>> 3, start + 1];
    else if (sizeFormat === 1) [size, at] = [header(2) >>> 4, start + 2];
    else [size, at] = [header(3) >>> 4, start + 3];
    if (size > limit) throw new Error(`zstd literals section of ${size} bytes exceeds the ${limit} bytes the block may regenerate`);
    if (type === 0) {
      if (at + size > end) throw new Error(`zstd raw literals (${size} bytes) run past the block`);
      return { literals: src.subarray(at, at + size), at: at + size };
    }
    if (at >= end) throw new Error('zstd RLE literals byte is missing');
    return { literals: new Uint8Array(size).fill(src[at]!), at: at + 1 };
  }
  // Compressed or treeless: regenerated and compressed sizes of 10, 14 or 18 bits each.
  const headerBytes = [3, 3, 4, 5][sizeFormat]!;
  const fieldBits = [10, 10, 14, 18][sizeFormat]!;
  const h = header(headerBytes);
  const fields = Math.floor(h / 16);
  const regenerated = fields % 2 ** fieldBits;
  const compressed = Math.floor(fields / 2 ** fieldBits) % 2 ** fieldBits;
  const streams = sizeFormat === 0 ? 1 : 4;
  let at = start + headerBytes;
  const sectionEnd = at + compressed;
  if (sectionEnd > end) throw new Error(`zstd compressed literals (${compressed} bytes) run past the block`);
  if (regenerated > limit) throw new Error(`zstd literals section of ${regenerated} bytes exceeds the ${limit} bytes the block may regenerate`);
  if (type === 2) {
    const tree = readHuffmanTree(src, at, sectionEnd);
    frame.huffman = tree.table;
    at += tree.bytes;
  } else if (!frame.huffman) {
    throw new Error('zstd treeless literals block without a previous Huffman table');
  }
  const table = frame.huffman;
  const literals = new Uint8Array(regenerated);
  if (streams === 1) {
    decodeHuffmanStream(table, src, at, sectionEnd, literals, 0, regenerated);
  } else {
    // Four streams: a jump table of the first three sizes; each regenerates a quarter (the last the rest).
    if (at + 6 > sectionEnd) throw new Error('zstd literals jump table is truncated');
    const sizes = [readLe(src, at, 2), readLe(src, at + 2, 2), readLe(src, at + 4, 2)];
    at += 6;
    const quarter = Math.ceil(regenerated / 4);
    let streamStart = at;
    for (let i = 0; i < 4; i++) {
      const streamEnd = i < 3 ? streamStart + sizes[i]! : sectionEnd;
      if (streamEnd > sectionEnd) throw new Error('zstd literals jump table points past the literals section');
      const from = Math.min(regenerated, i * quarter);
      const count = i < 3 ? Math.min(quarter, regenerated - from) : regenerated - from;
      decodeHuffmanStream(table, src, streamStart, streamEnd, literals, from, count);
      streamStart = streamEnd;
    }
  }
  return { literals, at: sectionEnd };
}

/** Which table a sequence symbol type uses in this block (§3.1.1.3.2.1): predefined, RLE, FSE-compressed or repeat. */
function sequenceTable(
  mode: number,
  src: Uint8Array,
  at: number,
  end: number,
  predefined: FseTable,
  previous: FseTable | undefined,
  maxSymbol: number,
  maxLog: number,
  what: string,
): { table: FseTable; bytes: number } {
  switch (mode) {
    case 0:
      return { table: predefined, bytes: 0 };
    case 1: {
      if (at >= end) throw new Error(`zstd ${what} RLE symbol is missing`);
      const symbol = src[at]!;
      if (symbol > maxSymbol) throw new Error(`zstd ${what} RLE symbol ${symbol} exceeds ${maxSymbol}`);
      return { table: rleFseTable(symbol), bytes: 1 };
    }
    case 2:
      return readFseTable(src, at, end, maxSymbol, maxLog, what);
    default:
      if (!previous) throw new Error(`zstd ${what} repeat mode without a previous table`);
      return { table: previous, bytes: 0 };
  }
}

/** The sequences section (§3.1.1.3.2), executed as it is decoded. */
function decodeSequences(src: Uint8Array, start: number, end: number, frame: FrameState, literals: Uint8Array): void {
  const out = frame.out;
  let literalPos = 0;
  const copyLiterals = (n: number): void => {
    if (literalPos + n > literals.length) throw new Error(`zstd sequence needs ${n} literals, ${literals.length - literalPos} left`);
    reserve(frame, n);
    copyInput(out, frame.op, literals, literalPos, n);
    literalPos += n;
    frame.op += n;
  };
  if (start >= end) throw new Error('zstd compressed block has no sequences section header');
  const b0 = src[start]!;
  let count: number;
  let at: number;
  if (b0 < 128) [count, at] = [b0, start + 1];
  else if (b0 < 255) [count, at] = [((b0 - 128) << 8) + (src[start + 1] ?? 0), start + 2];
  else [count, at] = [(src[start + 1] ?? 0) + ((src[start + 2] ?? 0) << 8) + 0x7f00, start + 3];
  if (at > end) throw new Error('zstd sequences section header is truncated');
  if (count === 0) {
    if (at !== end) throw new Error(`zstd block has ${end - at} bytes after an empty sequences section`);
    copyLiterals(literals.length);
    return;
  }
  if (at >= end) throw new Error('zstd symbol compression modes are missing');
  const modes = src[at++]!;
  if (modes & 3) throw new Error('zstd symbol compression modes have reserved bits set');
  const ll = sequenceTable(modes >>> 6, src, at, end, predefinedLiteralLengths, frame.literalLengths, 35, 9, 'literal lengths');
  at += ll.bytes;
  const of = sequenceTable((modes >>> 4) & 3, src, at, end, predefinedOffsets, frame.offsets, 31, 8, 'offsets');
  at += of.bytes;
  const ml = sequenceTable((modes >>> 2) & 3, src, at, end, predefinedMatchLengths, frame.matchLengths, 52, 9, 'match lengths');
  at += ml.bytes;
  [frame.literalLengths, frame.offsets, frame.matchLengths] = [ll.table, of.table, ml.table];

  const bits = new BackwardBits(src, at, end, 'sequences bitstream');
  const llState = new FseState(ll.table, bits);
  const ofState = new FseState(of.table, bits);
  const mlState = new FseState(ml.table, bits);
  const rep = frame.repeats;
  for (let i = 0; i < count; i++) {
    const ofCode = ofState.symbol;
    const mlCode = mlState.symbol;
    const llCode = llState.symbol;
    const offsetValue = 2 ** ofCode + bits.readLong(ofCode);
    const matchLength = matchLengthBaseline[mlCode]! + bits.read(matchLengthExtraBits[mlCode]!);
    const literalLength = literalLengthBaseline[llCode]! + bits.read(literalLengthExtraBits[llCode]!);
    if (i < count - 1) {
      llState.update();
      mlState.update();
      ofState.update();
    }
    if (bits.overflowed) throw new Error(`zstd sequences bitstream ends early, in sequence ${i} of ${count}`);

    let offset: number;
    if (offsetValue > 3) {
      offset = offsetValue - 3;
      [rep[2], rep[1], rep[0]] = [rep[1], rep[0], offset];
    } else {
      // Repeat offsets; with no literals, each code means the next one (and 3 means rep[0] - 1).
      const r = literalLength === 0 ? offsetValue : offsetValue - 1;
      if (r === 0) offset = rep[0];
      else {
        offset = r === 3 ? rep[0] - 1 : rep[r]!;
        if (r !== 1) rep[2] = rep[1];
        [rep[1], rep[0]] = [rep[0], offset];
      }
    }

    copyLiterals(literalLength);
    if (offset === 0 || offset > frame.op) throw new Error(`zstd match ${offset} bytes back at output byte ${frame.op} reaches before the start of the output`);
    if (offset > frame.windowSize) throw new Error(`zstd match ${offset} bytes back exceeds the window size ${frame.windowSize}`);
    reserve(frame, matchLength);
    copyBack(out, frame.op, offset, matchLength);
    frame.op += matchLength;
  }
  if (bits.pos !== 0) throw new Error(`zstd sequences bitstream has ${bits.pos} bits left over`);
  copyLiterals(literals.length - literalPos);
}
