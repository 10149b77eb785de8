// What decoding a kdump-compressed input costs: one core (Node's V8) decoding every page the file stores with the
// decoders the page's workers run (TypeScript ones for every codec, zlib included), as they decode a task's pages.
import { NodeFileSource } from '../../build/lib/io/node-source.js';
import { openDumps } from '../../build/lib/formats/open-dump.js';
import { membersOf } from '../../build/lib/formats/kdump/split-set.js';
import { decodeStoredPage } from '../../build/lib/codecs/stored-page.js';
import { lzoDecompress } from '../../build/lib/codecs/lzo-decode.js';
import { snappyDecompress } from '../../build/lib/codecs/snappy-decode.js';
import { zlibDecompress } from '../../build/lib/codecs/zlib-decode.js';
import { zstdDecompress } from '../../build/lib/codecs/zstd-decode.js';

const BROWSER_DECODERS = { zlib: zlibDecompress, lzo: lzoDecompress, snappy: snappyDecompress, zstd: zstdDecompress };

/** CPU seconds one core spends decoding every stored page of `files` (one dump, or a split set's members), and how many pages. */
export async function decodeSeconds(files) {
  const sources = await Promise.all(files.map((f) => NodeFileSource.open(f)));
  try {
    const dump = await openDumps(sources);
    if (dump.format !== 'kdump') return { seconds: 0, pages: 0 };
    let seconds = 0;
    let pages = 0;
    for (const m of membersOf(dump)) {
      const stored = [];
      for await (const { pfn, desc } of m.descriptors()) if (desc.offset > 0) stored.push([pfn, desc, await m.source.read(desc.offset, desc.size)]);
      // CPU time, not wall time: other work on the machine must not count.
      const t0 = process.cpuUsage();
      for (const [pfn, desc, data] of stored) await decodeStoredPage(m.source.name, pfn, desc, data, m.pageSize, BROWSER_DECODERS);
      const used = process.cpuUsage(t0);
      seconds += (used.user + used.system) / 1e6;
      pages += stored.length;
    }
    return { seconds, pages };
  } finally {
    await Promise.all(sources.map((s) => s.close?.()));
  }
}
