import { openDump } from '../../formats/open-dump.js';
import { describeDump } from '../../info/dump-info.js';
import { NodeFileSource } from '../../io/node-source.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_INCOMPLETE, EXIT_OK } from '../exit-codes.js';
import { formatInfo } from '../format-info.js';

/** `vmsieve --info [--json] VMCOREFILE`. */
export async function info(path: string, json: boolean, io: CliIo): Promise<number> {
  const source = await NodeFileSource.open(path);
  try {
    const d = await describeDump(await openDump(source));
    io.stdout(json ? `${JSON.stringify(d, null, 2)}\n` : formatInfo(d));
    const noInfo = d.warnings.find((w) => w.code === 'E_NO_VMCOREINFO');
    if (noInfo) {
      io.stderr(`vmsieve: ${noInfo.message}\n`);
      return EXIT_INCOMPLETE;
    }
    return EXIT_OK;
  } finally {
    await source.close();
  }
}
