import type { Dump } from '../../formats/dump.js';
import type { KernelReader } from '../dmesg/types.js';
import { readKallsyms, type KallsymsResult } from './read-kallsyms.js';

export { readKallsyms, type Kallsyms, type KallsymsEncoding, type KallsymsResult } from './read-kallsyms.js';
export { SymbolTable, formatResolved, type ImageBounds, type KernelSymbol, type ResolvedAddress } from './symbol-table.js';
export { parseSymbolQuery, lookupSymbol, type SymbolQuery, type SymbolAnswer } from './lookup.js';

const built = new WeakMap<Dump, Promise<KallsymsResult>>();

/** The dump's symbol table, read from its memory the first time it is asked for and shared after that. */
export function kallsymsOf(dump: Dump, reader: KernelReader): Promise<KallsymsResult> {
  let r = built.get(dump);
  if (!r) built.set(dump, (r = readKallsyms(reader)));
  return r;
}
