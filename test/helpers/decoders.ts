// Independent decoders for the page codecs (Debian's python3 with python3-lzo, python3-snappy,
// python3-zstandard), and the page corpora the codec tests run over.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompressedPages } from '../../src/codecs/registry.js';
import { fixtureCacheDir } from './fixtures.js';

export type PageCodec = 'lzo' | 'snappy' | 'zstd';

/** Debian's interpreter: the python3-* packages install there, not into a pyenv or venv python. */
export const python = process.env.VMSIEVE_PYTHON ?? '/usr/bin/python3';

const modules: Record<PageCodec, { module: string; pkg: string }> = {
  lzo: { module: 'lzo', pkg: 'python3-lzo' },
  snappy: { module: 'snappy', pkg: 'python3-snappy' },
  zstd: { module: 'zstandard', pkg: 'python3-zstandard' },
};

/** Why the independent decoder for `codec` cannot run here, or undefined when it can. */
export function decoderSkipReason(codec: PageCodec): string | undefined {
  const { module, pkg } = modules[codec];
  if (!existsSync(python)) return `${python} not found: install Debian's python3 and ${pkg} (or set VMSIEVE_PYTHON)`;
  const r = spawnSync(python, ['-c', `import ${module}`], { encoding: 'utf8' });
  if (r.status !== 0) return `${python} cannot import ${module}: apt-get install -y ${pkg}`;
  return undefined;
}

// Reads pages.bin + sizes.bin (u32 LE per page, bit 31 = stored raw), writes decoded.bin (page per
// page, zero-filled where decoding failed) and errors.json ([[page, message], ...]).
const script = String.raw`
import json, struct, sys
codec, d, page_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(d + '/pages.bin', 'rb').read()
raw_sizes = open(d + '/sizes.bin', 'rb').read()
sizes = struct.unpack('<%dI' % (len(raw_sizes) // 4), raw_sizes)
if codec == 'lzo':
    import lzo
    dec = lambda b: lzo.decompress(b, False, page_size)
elif codec == 'snappy':
    import snappy
    dec = lambda b: snappy.uncompress(b)
else:
    import zstandard
    z = zstandard.ZstdDecompressor()
    def dec(b):
        params = zstandard.get_frame_parameters(b)
        if params.content_size != page_size:
            raise ValueError('frame content size %d' % params.content_size)
        return z.decompress(b)
out, errors, at = bytearray(), [], 0
for i, w in enumerate(sizes):
    n, raw = w & 0x7fffffff, w >> 31
    b = data[at:at + n]
    at += n
    try:
        if raw:
            if n != page_size:
                raise ValueError('raw page of %d bytes' % n)
            page = b
        else:
            page = dec(bytes(b))
            if len(page) != page_size:
                raise ValueError('decoded %d bytes' % len(page))
    except Exception as e:
        errors.append([i, '%s: %s' % (type(e).__name__, e)])
        page = bytes(page_size)
    out += page
if at != len(data):
    errors.append([-1, 'sizes cover %d of %d bytes' % (at, len(data))])
open(d + '/decoded.bin', 'wb').write(out)
json.dump(errors, open(d + '/errors.json', 'w'))
`;

export interface DecodeResult {
  decoded: Uint8Array;
  errors: Array<[page: number, message: string]>;
}

/** Decodes every stored page with the independent decoder, in one subprocess. */
export function decodePages(codec: PageCodec, data: Uint8Array, sizes: Uint32Array, pageSize: number): DecodeResult {
  const dir = mkdtempSync(join(tmpdir(), `vmsieve-${codec}-`));
  try {
    writeFileSync(join(dir, 'pages.bin'), data);
    writeFileSync(join(dir, 'sizes.bin'), new Uint8Array(sizes.buffer, sizes.byteOffset, sizes.byteLength));
    execFileSync(python, ['-c', script, codec, dir, String(pageSize)], { stdio: ['ignore', 'inherit', 'inherit'] });
    return {
      decoded: new Uint8Array(readFileSync(join(dir, 'decoded.bin'))),
      errors: JSON.parse(readFileSync(join(dir, 'errors.json'), 'utf8')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Compresses each page with the reference library, in one python subprocess: imports `module`, runs
 * `setupLines` once, then evaluates `expr` on each page `b`. Every page is kept (none stored raw).
 */
export function pythonCompressPages(module: string, setupLines: readonly string[], expr: string, pages: Uint8Array, pageSize: number): CompressedPages {
  const dir = mkdtempSync(join(tmpdir(), `vmsieve-${module}-`));
  try {
    writeFileSync(join(dir, 'pages.bin'), pages);
    const script = [
      `import struct, sys, ${module}`,
      'd, ps = sys.argv[1], int(sys.argv[2])',
      ...setupLines,
      "data = open(d + '/pages.bin', 'rb').read()",
      'out, sizes = bytearray(), []',
      'for at in range(0, len(data), ps):',
      '    b = data[at:at + ps]',
      `    c = ${expr}`,
      '    out += c',
      '    sizes.append(len(c))',
      "open(d + '/out.bin', 'wb').write(out)",
      "open(d + '/sizes.bin', 'wb').write(struct.pack('<%dI' % len(sizes), *sizes))",
    ].join('\n');
    execFileSync(python, ['-c', script, dir, String(pageSize)], { stdio: ['ignore', 'inherit', 'inherit'] });
    const sizes = readFileSync(join(dir, 'sizes.bin'));
    return { data: new Uint8Array(readFileSync(join(dir, 'out.bin'))), sizes: new Uint32Array(sizes.buffer, sizes.byteOffset, sizes.length / 4).slice() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Index of the first page whose bytes differ, or -1. */
export function firstDifferentPage(a: Uint8Array, b: Uint8Array, pageSize: number): number {
  if (a.length !== b.length) return Math.min(a.length, b.length) / pageSize;
  for (let p = 0; p < a.length; p += pageSize) {
    for (let i = p; i < p + pageSize; i++) if (a[i] !== b[i]) return p / pageSize;
  }
  return -1;
}

// ---- page corpora ---------------------------------------------------------------------------

/** Small deterministic PRNG (xorshift32), so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const words = (
  'the of and to in is it that for on with as was at by kernel page memory struct task file ' +
  'return static int unsigned long void if else while for switch case break const char size_t ' +
  'spin_lock mutex list_head inode dentry buffer_head slab cache pfn vmcore crash dump zone node'
).split(' ');

/** One page of each kind, cycling: random, text, zero-heavy, struct-like, patterns, long runs. */
export function syntheticPages(count: number, pageSize = 4096, seed = 1): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(count * pageSize);
  const dv = new DataView(out.buffer);
  for (let p = 0; p < count; p++) {
    const base = p * pageSize;
    const page = out.subarray(base, base + pageSize);
    switch (p % 9) {
      case 0: // incompressible
        for (let i = 0; i < pageSize; i++) page[i] = r() & 255;
        break;
      case 1: {
        // text-like
        let i = 0;
        while (i < pageSize) {
          const w = words[r() % words.length]! + ((r() & 7) === 0 ? ';\n' : ' ');
          for (let j = 0; j < w.length && i < pageSize; j++) page[i++] = w.charCodeAt(j);
        }
        break;
      }
      case 2: // zero-heavy: a few scattered bytes
        for (let k = r() % 40; k > 0; k--) page[r() % pageSize] = r() & 255;
        break;
      case 3: // struct-like: kernel pointers and small counters every 8 bytes
        for (let i = 0; i + 8 <= pageSize; i += 8) {
          const kind = r() % 4;
          if (kind === 0) dv.setBigUint64(base + i, 0xffff888000000000n | BigInt(r() & 0xfffff8) << 8n, true);
          else if (kind === 1) dv.setUint32(base + i, r() % 64, true);
        }
        break;
      case 4: {
        // short periodic pattern, period 1..40
        const period = 1 + (r() % 40);
        for (let i = 0; i < pageSize; i++) page[i] = i < period ? r() & 255 : page[i - period]!;
        break;
      }
      case 5: // one byte value throughout (RLE)
        page.fill(r() & 255);
        break;
      case 6: {
        // random head, then copies from far back (distances up to the page)
        const head = 64 + (r() % 512);
        for (let i = 0; i < head; i++) page[i] = r() & 255;
        let i = head;
        while (i < pageSize) {
          const d = 1 + (r() % i);
          const len = Math.min(pageSize - i, 3 + (r() % 300));
          for (let j = 0; j < len; j++, i++) page[i] = page[i - d]!;
          for (let j = r() % 20; j > 0 && i < pageSize; j--) page[i++] = r() & 255;
        }
        break;
      }
      case 7: // mostly random with a few repeats (near-incompressible)
        for (let i = 0; i < pageSize; i++) page[i] = r() & 255;
        page.copyWithin(pageSize - 256, 100, 356);
        break;
      default: {
        // mixed bytes with low entropy (small alphabet)
        for (let i = 0; i < pageSize; i++) page[i] = 'ACGT'.charCodeAt(r() & 3);
      }
    }
  }
  return out;
}

/** Pages of random bytes with small values only (literal-heavy, skewed histogram). */
export function lowEntropyPages(count: number, pageSize = 4096, seed = 7): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(count * pageSize);
  for (let i = 0; i < out.length; i++) out[i] = (r() % 7) * (r() % 5);
  return out;
}

/** Up to `count` real kernel pages from a cached vmcore (after its first 64 KiB), or undefined. */
export function realKernelPages(count: number, pageSize = 4096): { pages: Uint8Array; source: string } | undefined {
  if (!existsSync(fixtureCacheDir)) return undefined;
  const file = readdirSync(fixtureCacheDir).filter((f) => f.endsWith('.vmcore')).sort()[0];
  if (!file) return undefined;
  const path = join(fixtureCacheDir, file);
  const fd = openSync(path, 'r');
  try {
    // spread the sample over the first ~64 MiB: kernel text, slab, page cache, user pages
    const pages = new Uint8Array(count * pageSize);
    const stride = 4;
    let got = 0;
    for (let i = 0; got < count; i++) {
      const n = readSync(fd, pages, got * pageSize, pageSize, 65536 + i * stride * pageSize);
      if (n < pageSize) break;
      got++;
    }
    return got === 0 ? undefined : { pages: pages.subarray(0, got * pageSize), source: file };
  } finally {
    closeSync(fd);
  }
}

// ---- the round-trip check every codec test uses -----------------------------------------------

export interface PageCompressorLike {
  compress(pages: Uint8Array): { data: Uint8Array; sizes: Uint32Array };
}

export interface RoundTrip {
  stored: number;
  rawPages: number;
  errors: DecodeResult['errors'];
  firstMismatch: number;
  /** Why the stored forms break the ABI (raw pages must be verbatim and exactly one page long), or ''. */
  abiProblem: string;
}

/** Compresses `pages`, decodes every stored page independently and compares with the input. */
export function roundTrip(codec: PageCodec, c: PageCompressorLike, pages: Uint8Array, pageSize: number): RoundTrip {
  const { data, sizes } = c.compress(pages);
  let stored = 0;
  let rawPages = 0;
  let abiProblem = '';
  for (let i = 0; i < sizes.length; i++) {
    const w = sizes[i]!;
    const n = w & 0x7fffffff;
    if (w >>> 31) {
      rawPages++;
      if (n !== pageSize) abiProblem ||= `page ${i}: raw with length ${n}`;
      else if (firstDifferentPage(data.subarray(stored, stored + n), pages.subarray(i * pageSize, (i + 1) * pageSize), pageSize) !== -1)
        abiProblem ||= `page ${i}: raw copy differs from the input`;
    } else if (n === 0 || n >= pageSize) abiProblem ||= `page ${i}: compressed length ${n} not in 1..${pageSize - 1}`;
    stored += n;
  }
  if (stored !== data.length) abiProblem ||= `sizes sum to ${stored}, data has ${data.length} bytes`;
  const { decoded, errors } = decodePages(codec, data, sizes, pageSize);
  return { stored, rawPages, errors, firstMismatch: firstDifferentPage(decoded, pages, pageSize), abiProblem };
}
