import type { DumpWarning } from '../api-types.js';
import { VmsieveError } from '../errors.js';

const KEY_RE = /^(SYMBOL|SIZE|OFFSET|LENGTH|NUMBER)\((.+)\)$/;

/** No kernel structure or member offset comes near this; a value above it is corruption, not a kernel. */
const MAX_STRUCT_BYTES = 1 << 24;
/** Array lengths (LENGTH(mem_section) is 2^18 with 5-level paging). */
const MAX_LENGTH = 2 ** 32;

/**
 * The values the page and memory-map code computes with, and the range a real kernel can have for each: a value
 * outside is refused with its key named instead of producing a fractional shift or a huge allocation later.
 */
const PLAUSIBLE: Record<string, { min: bigint; max: bigint; pow2?: boolean; what: string }> = {
  PAGESIZE: { min: 4096n, max: 65536n, pow2: true, what: 'a page size (a power of two from 4 KiB to 64 KiB)' },
  'SIZE(page)': { min: 16n, max: 1024n, what: 'a struct page size (16 to 1024 bytes)' },
  'SIZE(mem_section)': { min: 8n, max: 4096n, pow2: true, what: 'a struct mem_section size (a power of two from 8 to 4096)' },
  'NUMBER(SECTION_SIZE_BITS)': { min: 12n, max: 40n, what: 'a memory section shift (12 to 40)' },
  'NUMBER(MAX_PHYSMEM_BITS)': { min: 32n, max: 56n, what: 'a physical address width (32 to 56 bits)' },
  'NUMBER(pgtable_l5_enabled)': { min: 0n, max: 1n, what: '0 or 1' },
};

/** VMCOREINFO as the kernel wrote it, with typed accessors for each key family. */
export class VmcoreInfo {
  readonly entries = new Map<string, string>();
  /** Keys written more than once with different values; the first value is the one used. */
  readonly conflicts: { key: string; values: string[] }[] = [];

  constructor(readonly raw: string) {
    const later = new Map<string, string[]>();
    for (const line of raw.split('\n')) {
      if (line === '' || line === '\0') continue;
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).replace(/\0+$/, '');
      // makedumpfile's read_vmcoreinfo_* stop at the first line with the key: the same one is used here.
      const first = this.entries.get(key);
      if (first === undefined) this.entries.set(key, value);
      else if (value !== first) later.set(key, [...(later.get(key) ?? [first]), value]);
    }
    for (const [key, values] of later) this.conflicts.push({ key, values });
  }

  /** The warning (none or one) for keys given twice with different values, naming each and the value used. */
  conflictWarning(fileName: string): DumpWarning[] {
    if (this.conflicts.length === 0) return [];
    const listed = this.conflicts.map((c) => `${c.key} (${c.values.map((v) => JSON.stringify(v)).join(', then ')})`).join('; ');
    return [{
      code: 'W_VMCOREINFO_CONFLICT',
      message: `${fileName}: VMCOREINFO gives ${this.conflicts.length === 1 ? 'a key' : 'keys'} more than once with different values: ${listed}; the first value is used, as makedumpfile does, but the note is suspect and what is read with it may be wrong`,
    }];
  }

  static fromNote(desc: Uint8Array): VmcoreInfo {
    const text = new TextDecoder('latin1').decode(desc).replace(/\0+$/, '');
    return new VmcoreInfo(text);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  /** SYMBOL(name): a kernel virtual address, hex without 0x. */
  symbol(name: string): bigint | undefined {
    return this.parseHex(`SYMBOL(${name})`);
  }

  size(name: string): number | undefined {
    return this.bounded(`SIZE(${name})`, 1, MAX_STRUCT_BYTES);
  }

  /** OFFSET(struct.member), e.g. offset('page.flags'). */
  offset(name: string): number | undefined {
    return this.bounded(`OFFSET(${name})`, 0, MAX_STRUCT_BYTES - 1);
  }

  length(name: string): number | undefined {
    return this.bounded(`LENGTH(${name})`, 0, MAX_LENGTH);
  }

  /** NUMBER(name): signed decimal, or hex with a 0x prefix. */
  number(name: string): bigint | undefined {
    const key = `NUMBER(${name})`;
    const v = this.entries.get(key);
    if (v === undefined) return undefined;
    const s = v.trim();
    const m = /^(-?)(0x[0-9a-fA-F]+|\d+)$/.exec(s);
    if (!m) throw bad(key, v);
    const n = m[1] ? -BigInt(m[2]) : BigInt(m[2]);
    checkPlausible(key, n, v);
    return n;
  }

  get osRelease(): string | undefined {
    return this.entries.get('OSRELEASE');
  }

  get pageSize(): number | undefined {
    const v = this.parseDecimal('PAGESIZE');
    if (v !== undefined) checkPlausible('PAGESIZE', BigInt(v), this.entries.get('PAGESIZE')!);
    return v;
  }

  get buildId(): string | undefined {
    return this.entries.get('BUILD-ID');
  }

  /** KERNELOFFSET: the KASLR slide, hex without 0x. */
  get kernelOffset(): bigint | undefined {
    return this.parseHex('KERNELOFFSET');
  }

  /** CRASHTIME: seconds since the epoch, decimal; only kdump's capture writes it. */
  get crashTime(): number | undefined {
    return this.parseDecimal('CRASHTIME');
  }

  /** Keys grouped as makedumpfile prints them, for display. */
  toObject(): Record<string, string> {
    return Object.fromEntries(this.entries);
  }

  static isTypedKey(key: string): boolean {
    return KEY_RE.test(key);
  }

  private parseHex(key: string): bigint | undefined {
    const v = this.entries.get(key);
    if (v === undefined) return undefined;
    const s = v.trim().replace(/^0x/i, '');
    if (!/^[0-9a-fA-F]+$/.test(s)) throw bad(key, v);
    return BigInt(`0x${s}`);
  }

  private parseDecimal(key: string): number | undefined {
    const v = this.entries.get(key);
    if (v === undefined) return undefined;
    const s = v.trim();
    if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw bad(key, v);
    return Number(s);
  }

  /** A decimal SIZE/OFFSET/LENGTH within [min, max], and any extra rule the key has. */
  private bounded(key: string, min: number, max: number): number | undefined {
    const n = this.parseDecimal(key);
    if (n === undefined) return undefined;
    if (n < min || n > max)
      throw new VmsieveError('E_BAD_VMCOREINFO', `VMCOREINFO ${key}=${n} is out of range (${min} to ${max}): the note is corrupt`, { key, value: this.entries.get(key) });
    checkPlausible(key, BigInt(n), this.entries.get(key)!);
    return n;
  }
}

function checkPlausible(key: string, n: bigint, raw: string): void {
  const p = PLAUSIBLE[key];
  if (!p) return;
  if (n < p.min || n > p.max || (p.pow2 && (n & (n - 1n)) !== 0n))
    throw new VmsieveError('E_BAD_VMCOREINFO', `VMCOREINFO ${key}=${raw.trim()} is not ${p.what}: the note is corrupt`, { key, value: raw });
}

function bad(key: string, value: string): VmsieveError {
  return new VmsieveError('E_BAD_VMCOREINFO', `VMCOREINFO ${key} has an unreadable value "${value}"`, { key, value });
}
