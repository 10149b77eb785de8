import type { CliIo } from '../cli-io.js';
import { EXIT_INCOMPLETE, EXIT_OK } from '../exit-codes.js';
import { formatInfo } from '../format-info.js';
import { withVmcore } from '../open-input.js';

/** `vmsieve --info [--json] VMCOREFILE`. */
export async function info(path: string | readonly string[], json: boolean, io: CliIo): Promise<number> {
  return withVmcore(path, undefined, async (vmcore) => {
    const d = await vmcore.info();
    io.stdout(json ? `${JSON.stringify(d, null, 2)}\n` : formatInfo(d));
    const noInfo = d.warnings.find((w) => w.code === 'E_NO_VMCOREINFO');
    if (noInfo) {
      io.stderr(`vmsieve: ${noInfo.message}\n`);
      return EXIT_INCOMPLETE;
    }
    return EXIT_OK;
  });
}
