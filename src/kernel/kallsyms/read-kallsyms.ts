import type { DumpWarning } from '../../api-types.js';
import { VmsieveError } from '../../errors.js';
import type { KernelReader } from '../dmesg/types.js';
import { Fields } from '../../model/byte-order.js';
import { SymbolTable, type KernelSymbol } from './symbol-table.js';

/**
 * How kallsyms stores addresses (kernel/kallsyms.c kallsyms_sym_address, scripts/kallsyms.c):
 * - absolute: `kallsyms_addresses[]`, one unsigned long per symbol (no CONFIG_KALLSYMS_BASE_RELATIVE);
 * - relative: `kallsyms_relative_base + (u32)kallsyms_offsets[i]` (6.x without absolute per-cpu symbols);
 * - absolute-percpu: a non-negative offset is the value itself (per-cpu symbols are offsets into the per-cpu
 *   area), a negative one means `kallsyms_relative_base - 1 - offset` (x86_64 SMP kernels before 6.15);
 * - place-relative: `&kallsyms_offsets[i] + (s32)kallsyms_offsets[i]`, each offset from its own address (7.0+,
 *   which dropped kallsyms_relative_base: VMCOREINFO lists kallsyms_offsets alone).
 */
export type KallsymsEncoding = 'absolute' | 'relative' | 'absolute-percpu' | 'place-relative';

export interface Kallsyms {
  table: SymbolTable;
  encoding: KallsymsEncoding;
}

export type KallsymsResult = { ok: true; kallsyms: Kallsyms } | { ok: false; warning: DumpWarning };

const TABLE_KEYS = ['kallsyms_names', 'kallsyms_num_syms', 'kallsyms_token_table', 'kallsyms_token_index'] as const;
/** Far more than any kernel has (about 200,000); a larger count means the tables are not what VMCOREINFO says. */
const MAX_SYMS = 4_000_000;
const TOKEN_TABLE_SLACK = 1024;

function missingKeys(r: KernelReader): string[] {
  const missing: string[] = TABLE_KEYS.filter((k) => r.info.symbol(k) === undefined);
  if (r.info.symbol('kallsyms_offsets') === undefined && r.info.symbol('kallsyms_addresses') === undefined) missing.push('kallsyms_offsets (or kallsyms_addresses)');
  return missing;
}

function noKallsyms(r: KernelReader, missing: string[]): DumpWarning {
  const release = r.info.osRelease ?? 'unknown';
  const major = Number(/^(\d+)\./.exec(release)?.[1] ?? NaN);
  const why = major < 6 ? `kernel ${release} predates 6.0, whose VMCOREINFO can carry the kernel's symbol table` : `VMCOREINFO lacks SYMBOL(${missing.join('), SYMBOL(')})`;
  return { code: 'W_NO_KALLSYMS', message: `No kernel symbol names: ${why}; addresses are shown raw.` };
}

/** The kernel's fields in bytes read through `r`, in the dump's byte order. */
const view = (r: KernelReader, b: Uint8Array) => new Fields(b, r.byteOrder);

async function readTokens(r: KernelReader, tableAddr: bigint, indexAddr: bigint): Promise<string[]> {
  const index = view(r, await r.readVirt(indexAddr, 256 * 2));
  const starts = Array.from({ length: 256 }, (_, i) => index.u16(i * 2));
  const bytes = await r.readVirt(tableAddr, Math.max(...starts) + TOKEN_TABLE_SLACK);
  const latin1 = new TextDecoder('latin1');
  return starts.map((s, i) => {
    const end = bytes.indexOf(0, s);
    if (end < 0) throw new VmsieveError('E_BAD_VMCOREINFO', `kallsyms token ${i} at offset ${s} of kallsyms_token_table has no terminating NUL`);
    return latin1.decode(bytes.subarray(s, end));
  });
}

/** Bytes of kallsyms_names to read: up to the next kallsyms array above it (the kernel lays them out back to back). */
function namesSpan(r: KernelReader, names: bigint, count: number): number {
  const above = ['kallsyms_token_table', 'kallsyms_token_index', 'kallsyms_offsets', 'kallsyms_relative_base', 'kallsyms_addresses', 'kallsyms_num_syms']
    .map((k) => r.info.symbol(k))
    .filter((a): a is bigint => a !== undefined && a > names)
    .map((a) => a - names);
  const bound = above.length ? above.reduce((a, b) => (a < b ? a : b)) : BigInt(count * 130);
  return Number(bound < BigInt(count * 130) ? bound : BigInt(count * 130));
}

/** Expands kallsyms_names: each entry is a length (one byte, or two when the first has bit 7 set: 6.1+) then token indices; the first expanded character is the type. */
function expandNames(bytes: Uint8Array, count: number, tokens: string[]): Array<{ type: string; name: string }> {
  const out: Array<{ type: string; name: string }> = new Array(count);
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p >= bytes.length) throw new VmsieveError('E_BAD_VMCOREINFO', `kallsyms_names ends after ${i} of ${count} symbols`);
    let len = bytes[p++];
    if (len & 0x80) len = (len & 0x7f) | (bytes[p++] << 7);
    if (p + len > bytes.length) throw new VmsieveError('E_BAD_VMCOREINFO', `kallsyms_names entry ${i} runs past the tables (${len} bytes)`);
    let s = '';
    for (let j = 0; j < len; j++) s += tokens[bytes[p + j]];
    p += len;
    out[i] = { type: s.slice(0, 1), name: s.slice(1) };
  }
  return out;
}

type OffsetEncoding = Exclude<KallsymsEncoding, 'absolute'>;

/**
 * Symbol `i`'s address from its offset `o`: against `base` (kallsyms_relative_base), or, place-relative, against the
 * address of the offset itself (`base` is then kallsyms_offsets).
 */
function decodeOffset(o: number, i: number, base: bigint, encoding: OffsetEncoding): bigint {
  if (encoding === 'relative') return BigInt.asUintN(64, base + BigInt(o >>> 0));
  if (encoding === 'place-relative') return BigInt.asUintN(64, base + BigInt(i * 4) + BigInt(o));
  return o >= 0 ? BigInt(o) : BigInt.asUintN(64, base - 1n - BigInt(o));
}

/** Picks, among `encodings`, the one under which `_stext` lands where VMCOREINFO's SYMBOL(_stext) says it is. */
function chooseEncoding(r: KernelReader, offsets: Fields, base: bigint, names: Array<{ name: string }>, encodings: readonly OffsetEncoding[]): OffsetEncoding {
  const stextIndex = names.findIndex((n) => n.name === '_stext');
  const stext = r.info.symbol('_stext');
  if (stext !== undefined && stextIndex >= 0) {
    const o = offsets.i32(stextIndex * 4);
    const match = encodings.find((e) => decodeOffset(o, stextIndex, base, e) === stext);
    if (!match)
      throw new VmsieveError(
        'E_BAD_VMCOREINFO',
        `kallsyms does not decode: _stext would be at ${encodings.map((e) => `0x${decodeOffset(o, stextIndex, base, e).toString(16)} (${e})`).join(' or ')}, VMCOREINFO says 0x${stext.toString(16)}`,
      );
    return match;
  }
  if (encodings.length === 1) return encodings[0]!;
  // Without _stext to check, negative offsets only occur in the absolute-percpu encoding.
  for (let i = 0; i < names.length; i++) if (offsets.i32(i * 4) < 0) return 'absolute-percpu';
  return 'relative';
}

/**
 * The kernel's own symbol table, read from dump memory through the addresses VMCOREINFO gives (Linux 6.0+ kernels
 * that export them). A missing key gives a warning, not an error; tables that do not decode are an error.
 */
export async function readKallsyms(r: KernelReader): Promise<KallsymsResult> {
  const missing = missingKeys(r);
  if (missing.length) return { ok: false, warning: noKallsyms(r, missing) };
  const sym = (k: string) => r.info.symbol(k) as bigint;
  const count = view(r, await r.readVirt(sym('kallsyms_num_syms'), 4)).u32(0);
  if (count === 0 || count > MAX_SYMS) throw new VmsieveError('E_BAD_VMCOREINFO', `kallsyms_num_syms reads ${count}: not a symbol count`);
  const tokens = await readTokens(r, sym('kallsyms_token_table'), sym('kallsyms_token_index'));
  const namesAddr = sym('kallsyms_names');
  const names = expandNames(await r.readVirt(namesAddr, namesSpan(r, namesAddr, count)), count, tokens);

  let encoding: KallsymsEncoding;
  let addresses: bigint[];
  if (r.info.symbol('kallsyms_offsets') !== undefined) {
    const offsets = view(r, await r.readVirt(sym('kallsyms_offsets'), count * 4));
    // What VMCOREINFO lists tells the kernel's encoding apart: 7.0 dropped kallsyms_relative_base with its offsets.
    const hasBase = r.info.symbol('kallsyms_relative_base') !== undefined;
    const base = hasBase ? view(r, await r.readVirt(sym('kallsyms_relative_base'), 8)).u64(0) : sym('kallsyms_offsets');
    const chosen = chooseEncoding(r, offsets, base, names, hasBase ? ['relative', 'absolute-percpu'] : ['place-relative']);
    encoding = chosen;
    addresses = Array.from({ length: count }, (_, i) => decodeOffset(offsets.i32(i * 4), i, base, chosen));
  } else {
    const raw = view(r, await r.readVirt(sym('kallsyms_addresses'), count * 8));
    encoding = 'absolute';
    addresses = Array.from({ length: count }, (_, i) => raw.u64(i * 8));
  }
  const symbols: KernelSymbol[] = names.map((n, i) => ({ name: n.name, type: n.type, address: addresses[i] }));
  return { ok: true, kallsyms: { table: new SymbolTable(symbols), encoding } };
}
