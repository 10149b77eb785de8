import { assumptions, type Candidate, type KeepCheck } from '../../index.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { withVmcore } from '../open-input.js';
import { printWarnings } from '../print-warnings.js';

/** The capture kernel reads /proc/vmcore from RAM; this dump's file speed says nothing about that. */
const READ_BYTES_PER_SECOND = 1e9;
const DEFAULT_WRITE_MB = 100;

export interface AdviseOptions {
  json: boolean;
  threads: number | undefined;
  /** MB/s (10^6 bytes) the dump target takes. */
  writeSpeed: number | undefined;
  maxSize: number | undefined;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const secs = (s: number) => (s < 90 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

function debuggerLine(level: number, c: KeepCheck | { unavailable: string }): string {
  if ('unavailable' in c) return `Not checked whether -d ${level} keeps what crash and drgn need: ${c.unavailable}`;
  if (c.dropped.length === 0) return `-d ${level} keeps every page crash and drgn need (vmsieve --check-level ${level} lists what was checked).`;
  const what = [...new Set(c.dropped.map((d) => d.what))];
  return `Warning: -d ${level} leaves out ${c.dropped.length} kernel object(s) crash and drgn need (${what.slice(0, 5).join(', ')}${what.length > 5 ? ', …' : ''}): vmsieve --check-level ${level} lists them.`;
}

/** `vmsieve --advise [--json] [--write-speed MB/s] [--max-size BYTES] VMCOREFILE`: which level and codec to capture with. */
export async function advise(paths: readonly string[], o: AdviseOptions, io: CliIo): Promise<number> {
  return withVmcore(paths, io, async (vmcore) => {
    const path = vmcore.name;
    const { analysed, speeds, recommended, candidates, config, check } = await vmcore.advise({
      threads: o.threads,
      signal: io.signal,
      readBytesPerSecond: READ_BYTES_PER_SECOND,
      writeBytesPerSecond: (o.writeSpeed ?? DEFAULT_WRITE_MB) * 1e6,
      maxBytes: o.maxSize,
    });
    printWarnings(analysed.classified.warnings, io);
    const said = assumptions(speeds, 'on this machine');
    if (analysed.inputLevel !== undefined) said.push(`${path} is kdump-compressed at -d ${analysed.inputLevel}: levels without its bits are what -d ${analysed.inputLevel} gives.`);
    const pick = (c: Candidate) => ({ level: c.level, codec: c.output, bytes: c.bytes, seconds: Number(c.seconds.toFixed(3)) });
    if (o.json) {
      io.stdout(
        `${JSON.stringify({
          recommended: recommended && {
            ...pick(recommended),
            debugger: check && ('unavailable' in check ? { checked: false, why: check.unavailable } : { checked: true, keepsEverything: check.dropped.length === 0, dropped: check.dropped.map((d) => ({ kind: d.kind, what: d.what, pfn: d.pfn, reason: d.reason })) }),
          },
          candidates: candidates.map((c) => ({ ...pick(c), readSeconds: c.readSeconds, compressSeconds: c.compressSeconds, writeSeconds: c.writeSeconds })),
          assumptions: said,
          speeds,
          estimatedKinds: analysed.estimatedKinds,
          config,
        })}\n`,
      );
      return EXIT_OK;
    }
    if (!recommended) io.stdout(`No level and codec gives a file of at most ${o.maxSize} bytes.\n`);
    else {
      io.stdout(`Capture with -d ${recommended.level} ${recommended.output}: ${mb(recommended.bytes)} in about ${secs(recommended.seconds)}.\n`);
      if (check) io.stdout(`${debuggerLine(recommended.level, check)}\n`);
      io.stdout('\n');
      for (const c of config) io.stdout(`  ${c.distribution.padEnd(15)} ${c.file.padEnd(26)} ${c.line}\n`);
    }
    io.stdout('\nFastest five:\n');
    for (const c of candidates.slice(0, 5)) io.stdout(`  -d ${String(c.level).padStart(2)} ${c.output.padEnd(13)} ${mb(c.bytes).padStart(11)} ${secs(c.seconds).padStart(10)}\n`);
    io.stdout(`\nAssumptions:\n${said.map((a) => `  - ${a}\n`).join('')}`);
    return EXIT_OK;
  });
}
