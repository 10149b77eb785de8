import type { ClassifyResult } from '../index.js';
import type { CliIo } from './cli-io.js';

/** Classification warnings on stderr: "note" for what only explains, "warning" for what costs a level bit. */
export function printWarnings(warnings: ClassifyResult['warnings'], io: CliIo): void {
  for (const w of warnings) io.stderr(`vmsieve: ${'severity' in w && w.severity === 'info' ? 'note' : 'warning'}: ${w.message}\n`);
}
