import { isVmsieveError } from '../../src/errors.js';
import { classifyDump } from '../../src/filter/classify-dump.js';
import type { Dump } from '../../src/model/dump.js';
import { isKdumpDump } from '../../src/formats/kdump/read-kdump.js';
import { openDump } from '../../src/formats/open-dump.js';
import { describeDump } from '../../src/info/dump-info.js';
import type { ByteSource } from '../../src/io/source.js';
import { readDmesg } from '../../src/kernel/dmesg/index.js';
import { KernelMemory } from '../../src/kernel/kernel-memory.js';
import type { KernelExports } from '../../src/wasm/kernels.js';

export interface Outcome {
  /** The VmsieveError code of each step that failed on purpose. */
  codes: string[];
  /** Anything else thrown: a defect. */
  crashes: { step: string; error: unknown }[];
}

export interface ExerciseOptions {
  /** Also classify every page (the export's first step): slower, so only for some inputs. */
  classify?: boolean;
  kernels?: KernelExports;
}

/**
 * What the commands do with a dump, each step tried on its own so a failure of one does not hide the next: open it,
 * describe it (--info), read some pages, read its log (--dump-dmesg) and, when asked, classify every page.
 */
export async function exercise(source: ByteSource, o: ExerciseOptions = {}): Promise<Outcome> {
  const out: Outcome = { codes: [], crashes: [] };
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (e) {
      if (isVmsieveError(e)) out.codes.push(e.code);
      else out.crashes.push({ step: name, error: e });
      return undefined;
    }
  };
  const dump: Dump | undefined = await step('open', () => openDump(source));
  if (!dump) return out;
  await step('info', () => describeDump(dump));
  await step('read', async () => {
    if (isKdumpDump(dump)) {
      let n = 0;
      for await (const { pfn } of dump.descriptors()) {
        await dump.readPhys(pfn * dump.pageSize, dump.pageSize);
        if (++n === 8) break;
      }
    } else {
      for (const l of dump.loads.slice(0, 4)) if (l.fileSize > 0) await dump.readPhys(l.physStart, Math.min(l.fileSize, 2 * dump.pageSize));
    }
  });
  if (!dump.vmcoreinfo) return out;
  await step('dmesg', () => readDmesg(dump));
  if (o.classify && o.kernels) await step('classify', () => classifyDump(dump, KernelMemory.open(dump), o.kernels!, {}));
  return out;
}
