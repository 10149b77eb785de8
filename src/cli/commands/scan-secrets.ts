import type { SecretFinding, SecretScanResult } from '../../index.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK, EXIT_SECRETS_FOUND } from '../exit-codes.js';
import { withVmcore } from '../open-input.js';
import { printWarnings } from '../print-warnings.js';

const LIMITS = 'A scan finds what it knows how to recognise (the patterns listed): finding nothing is no guarantee that nothing is there.';

function findingLine(f: SecretFinding): string {
  const where = `0x${f.paddr.toString(16).padStart(12, '0')} pfn 0x${f.pfn.toString(16)}`;
  const drop = f.droppedBy.length ? `dropped by -d ${f.droppedBy.join('/')}` : 'kept at every level';
  return `  ${f.kind.padEnd(20)} ${f.masked.padEnd(14)} ${String(f.length).padStart(5)} B  ${where}  ${f.pageClass} (${drop})${f.object ? `  in ${f.object}` : ''}`;
}

function scanText(r: SecretScanResult): string {
  const secret = r.findings.filter((f) => f.category === 'secret');
  const identifying = r.findings.filter((f) => f.category === 'identifying');
  const lines = [`Scanned ${r.scannedPages} pages that dump level ${r.level} keeps, for ${r.patterns.length} patterns: ${r.patterns.map((p) => p.kind).join(', ')}.`];
  lines.push(secret.length ? `${secret.length} secret${secret.length === 1 ? '' : 's'} (masked):` : 'No secrets found.');
  lines.push(...secret.map(findingLine));
  lines.push(identifying.length ? `${identifying.length} identifying item${identifying.length === 1 ? '' : 's'} (masked):` : 'Nothing identifying found.');
  lines.push(...identifying.map(findingLine));
  if (r.builtIn) lines.push(`${r.builtIn} match${r.builtIn === 1 ? '' : 'es'} in the kernel image's text and read-only data left out: the same in every copy of this kernel build.`);
  lines.push(LIMITS);
  return `${lines.join('\n')}\n`;
}

/** `vmsieve --scan-secrets [--json] -d LEVEL VMCOREFILE`: exit 0 when no secret is found, 5 when some are (masked in the output). */
export async function scanSecretsCommand(path: string | readonly string[], level: number, json: boolean, threads: number | undefined, io: CliIo): Promise<number> {
  return withVmcore(path, io, async (vmcore) => {
    const r = await vmcore.scanSecrets({ level, threads, signal: io.signal });
    const { warnings, ...result } = r;
    printWarnings(warnings, io);
    io.stdout(json ? `${JSON.stringify({ ...result, limits: LIMITS }, null, 2)}\n` : scanText(r));
    return r.findings.some((f) => f.category === 'secret') ? EXIT_SECRETS_FOUND : EXIT_OK;
  });
}
