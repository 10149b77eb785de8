import { formatResolved, type SymbolAnswer } from '../../index.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js';
import { withVmcore } from '../open-input.js';

const hex = (v: bigint) => v.toString(16).padStart(16, '0');

const answerText = (a: SymbolAnswer): string => a.results.map((r) => `${hex(r.address)} ${r.type} ${formatResolved(r)}\n`).join('');

function answerJson(a: SymbolAnswer) {
  return {
    query: a.query,
    ...(a.error ? { error: a.error } : {}),
    results: a.results.map((r) => ({
      address: `0x${hex(r.address)}`,
      name: r.name,
      type: r.type,
      symbolAddress: `0x${hex(r.symbolAddress)}`,
      offset: Number(r.offset),
      size: Number(r.size),
      text: formatResolved(r),
    })),
  };
}

/** `vmsieve --symbol NAME|ADDRESS[+OFF] … [--json] VMCOREFILE`: names for addresses, addresses for names, from the dump's kallsyms. */
export async function symbol(path: string | readonly string[], queries: readonly string[], json: boolean, io: CliIo): Promise<number> {
  return withVmcore(path, undefined, async (vmcore) => {
    const { symbolCount, encoding, answers } = await vmcore.symbols(queries);
    if (json) io.stdout(`${JSON.stringify({ symbolCount, encoding, answers: answers.map(answerJson) }, null, 2)}\n`);
    else {
      io.stdout(answers.map(answerText).join(''));
      for (const a of answers) if (a.error) io.stderr(`vmsieve: ${a.query}: ${a.error}\n`);
    }
    return answers.some((a) => a.error) ? EXIT_FAILED : EXIT_OK;
  });
}
