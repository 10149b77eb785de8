import { type KeepCheck, VmsieveError } from '../../index.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_DROPS_NEEDED, EXIT_OK } from '../exit-codes.js';
import { withVmcore } from '../open-input.js';
import { printWarnings } from '../print-warnings.js';

const hex = (v: bigint) => v.toString(16).padStart(16, '0');
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function checkText(c: KeepCheck): string {
  const n = c.checked;
  const checked = `checked ${n.symbol} data symbols, ${n.stack} stack pages, ${n['page-table']} page-table pages, ${n['per-cpu']} per-cpu pages`;
  if (c.dropped.length === 0) return `Dump level ${c.level} keeps every page crash and drgn need (${checked}).\n`;
  const pages = new Set(c.dropped.map((d) => d.pfn)).size;
  const lines = [`Dump level ${c.level} leaves out ${plural(c.dropped.length, 'kernel object')} on ${plural(pages, 'page')} crash and drgn need (${checked}):`];
  const width = Math.max(...c.dropped.map((d) => d.what.length));
  for (const d of c.dropped)
    lines.push(`  ${d.kind.padEnd(10)} ${d.what.padEnd(width)} ${d.address === undefined ? '-'.padEnd(16) : hex(d.address)} pfn 0x${d.pfn.toString(16).padEnd(6)} ${d.reason}`);
  return `${lines.join('\n')}\n`;
}

function checkJson(c: KeepCheck) {
  return {
    level: c.level,
    keepsEverything: c.dropped.length === 0,
    dropped: c.dropped.map((d) => ({ kind: d.kind, what: d.what, address: d.address === undefined ? null : `0x${hex(d.address)}`, pfn: d.pfn, reason: d.reason })),
    checked: c.checked,
    warnings: c.warnings,
  };
}

/** `vmsieve --check-level LEVEL [--json] VMCOREFILE`: exit 0 when the level keeps what a debugger needs, 4 when it does not. */
export async function checkLevelCommand(path: string | readonly string[], level: number, json: boolean, io: CliIo): Promise<number> {
  return withVmcore(path, undefined, async (vmcore) => {
    const c = await vmcore.keepCheck(level);
    if ('unavailable' in c) throw new VmsieveError(vmcore.dump.vmcoreinfo ? 'E_UNSUPPORTED' : 'E_NO_VMCOREINFO', c.unavailable);
    printWarnings((await vmcore.classification()).warnings, io);
    if (json) io.stdout(`${JSON.stringify(checkJson(c), null, 2)}\n`);
    else {
      io.stdout(checkText(c));
      for (const w of c.warnings) io.stderr(`vmsieve: note: ${w.message}\n`);
    }
    return c.dropped.length ? EXIT_DROPS_NEEDED : EXIT_OK;
  });
}
