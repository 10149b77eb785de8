// The batch loop of the page-table LZ codecs (LZO1X-1, snappy): each page compressed on its own, its stored form
// appended to the output, one size word per page.

import { appendParsedPage, pageTableBase } from "./match";

/**
 * Compresses the n bytes at src into out (base: pageTableBase's for this page). Returns the stream length, or n when
 * the stream would not be shorter than the page (the page is then stored raw).
 */
export type PageParser = (src: usize, n: usize, out: usize, base: usize) => usize;

let scratch: usize = 0;
let scratchSize: usize = 0;

/**
 * Compresses `pages` consecutive pages of `pageSize` bytes at `input`, appending each page's stored form to
 * `output`. sizes[i] (u32) = stored length, with bit 31 set when the page is stored raw (the compressed form was not
 * smaller). Returns the total bytes written. A page that does not fit in outputCapacity gets size 0 and stops the
 * batch. `slack`: how far past the page length a parser may write; `parse` for pages up to `bigAbove` bytes,
 * `parseBig` for larger ones.
 */
// @ts-ignore: decorator
@inline export function compressPageBatch(
  input: usize, pages: u32, pageSize: u32, output: usize, outputCapacity: usize, sizes: usize,
  slack: usize, bigAbove: usize, parse: PageParser, parseBig: PageParser,
): u32 {
  const ps = <usize>pageSize;
  const need = ps + slack;
  if (scratchSize < need) {
    scratch = heap.alloc(need);
    scratchSize = need;
  }
  const parser = ps > bigAbove ? parseBig : parse;
  let base: usize = 0;
  let total: usize = 0;
  for (let i: u32 = 0; i < pages; i++) {
    const src = input + <usize>i * ps;
    base = pageTableBase(i, src, ps, base);
    const room = outputCapacity - total;
    const dst = output + total;
    // straight into the output when it has room for the worst case, else into scratch
    const direct = room >= need;
    const comp = direct ? dst : scratch;
    const clen = parser(src, ps, comp, base);
    const stored = appendParsedPage(dst, room, direct, sizes, i, pages, src, ps, comp, clen);
    if (stored == 0) break;
    total += stored;
  }
  return <u32>total;
}
