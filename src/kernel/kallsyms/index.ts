import { isVmsieveError } from '../../errors.js';
import type { Dump } from '../../model/dump.js';
import type { KernelReader } from '../dmesg/types.js';
import { readKallsyms, type KallsymsResult } from './read-kallsyms.js';

export { readKallsyms, type Kallsyms, type KallsymsEncoding, type KallsymsResult } from './read-kallsyms.js';
export { SymbolTable, formatResolved, type ImageBounds, type KernelSymbol, type ResolvedAddress } from './symbol-table.js';
export { parseSymbolQuery, lookupSymbol, type SymbolQuery, type SymbolAnswer } from './lookup.js';

const built = new WeakMap<Dump, Promise<KallsymsResult>>();

/**
 * The dump's symbol table, read from its memory the first time it is asked for and shared after that. Tables that
 * cannot be read (unmapped, or not decoding) give a warning as missing keys do: names are a help, never a blocker.
 */
export function kallsymsOf(dump: Dump, reader: KernelReader): Promise<KallsymsResult> {
  let r = built.get(dump);
  if (!r) {
    r = readKallsyms(reader).catch((e): KallsymsResult => {
      if (!isVmsieveError(e)) throw e;
      return { ok: false, warning: { code: 'W_NO_KALLSYMS', message: `No kernel symbol names: ${e.message}; addresses are shown raw.` } };
    });
    built.set(dump, r);
  }
  return r;
}
