import { VmsieveError } from '../../errors.js';
import type { ResolvedAddress, SymbolTable } from './symbol-table.js';

/** `--symbol` input: a name or an address, plus an offset (a trace's `name+0x16/0x20` pastes as is; the size is ignored). */
export type SymbolQuery = { text: string; offset: bigint } & ({ kind: 'name'; name: string } | { kind: 'address'; address: bigint });

export interface SymbolAnswer {
  query: string;
  /** One entry per symbol of that name (or the one the address falls in); empty when nothing matches. */
  results: ResolvedAddress[];
  /** Why there are no results. */
  error?: string;
}

const HEX = /^(?:0x)?([0-9a-f]+)$/i;

function parseOffset(text: string, query: string): bigint {
  const m = /^(0x[0-9a-f]+|\d+)$/i.exec(text);
  if (!m) throw new VmsieveError('E_USAGE', `--symbol ${query}: the offset "${text}" is not a number (write +0x16 or +22)`);
  return BigInt(m[1]);
}

/** Parses NAME, NAME+OFF, ADDRESS or ADDRESS+OFF; a hex word that is also a symbol name is taken as the name. */
export function parseSymbolQuery(text: string, isName: (name: string) => boolean): SymbolQuery {
  const m = /^([^+/\s]+)(?:\+([^/\s]+))?(?:\/\S+)?$/.exec(text.trim());
  if (!m) throw new VmsieveError('E_USAGE', `--symbol "${text}" is neither a symbol name nor an address (NAME, ADDRESS, NAME+OFF or ADDRESS+OFF)`);
  const offset = m[2] === undefined ? 0n : parseOffset(m[2], text);
  const hex = HEX.exec(m[1]);
  if (hex && !isName(m[1])) return { text, offset, kind: 'address', address: BigInt(`0x${hex[1]}`) };
  return { text, offset, kind: 'name', name: m[1] };
}

/**
 * With an offset the address is read as a trace frame, a return address, as the kernel's %pB prints it: the byte
 * before it is looked up and the offset counted from there, so `panic+0x6c/0x6c` (a call at the very end of panic
 * that never returns) stays in panic instead of naming the next function.
 */
function resolveFrame(table: SymbolTable, address: bigint, offset: bigint): ResolvedAddress | undefined {
  if (offset === 0n) return table.resolve(address);
  const r = table.resolve(address - 1n);
  return r && { ...r, address, offset: r.offset + 1n };
}

/** Answers one query as the kernel would print the address: `name+off/size`. */
export function lookupSymbol(table: SymbolTable, query: SymbolQuery): SymbolAnswer {
  if (query.kind === 'address') {
    const address = BigInt.asUintN(64, query.address + query.offset);
    const r = resolveFrame(table, address, query.offset);
    return r
      ? { query: query.text, results: [r] }
      : { query: query.text, results: [], error: `0x${address.toString(16)} is outside the kernel image (0x${table.bounds.start.toString(16)}-0x${table.bounds.end.toString(16)})` };
  }
  const symbols = table.lookupName(query.name);
  if (symbols.length === 0) return { query: query.text, results: [], error: `no kernel symbol is named ${query.name}` };
  const results = symbols.map((s): ResolvedAddress => {
    const address = BigInt.asUintN(64, s.address + query.offset);
    if (query.offset !== 0n) {
      const r = resolveFrame(table, address, query.offset);
      if (r) return r;
    }
    return { address, name: s.name, type: s.type, symbolAddress: s.address, offset: query.offset, size: table.extent(s) };
  });
  return { query: query.text, results };
}
