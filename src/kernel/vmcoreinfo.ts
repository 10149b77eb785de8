import { VmsieveError } from '../errors.js';

const KEY_RE = /^(SYMBOL|SIZE|OFFSET|LENGTH|NUMBER)\((.+)\)$/;

/** VMCOREINFO as the kernel wrote it, with typed accessors for each key family. */
export class VmcoreInfo {
  readonly entries = new Map<string, string>();

  constructor(readonly raw: string) {
    for (const line of raw.split('\n')) {
      if (line === '' || line === '\0') continue;
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      this.entries.set(line.slice(0, eq), line.slice(eq + 1).replace(/\0+$/, ''));
    }
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
    return this.parseDecimal(`SIZE(${name})`);
  }

  /** OFFSET(struct.member), e.g. offset('page.flags'). */
  offset(name: string): number | undefined {
    return this.parseDecimal(`OFFSET(${name})`);
  }

  length(name: string): number | undefined {
    return this.parseDecimal(`LENGTH(${name})`);
  }

  /** NUMBER(name): signed decimal, or hex with a 0x prefix. */
  number(name: string): bigint | undefined {
    const key = `NUMBER(${name})`;
    const v = this.entries.get(key);
    if (v === undefined) return undefined;
    const s = v.trim();
    const m = /^(-?)(0x[0-9a-fA-F]+|\d+)$/.exec(s);
    if (!m) throw bad(key, v);
    const n = BigInt(m[2]);
    return m[1] ? -n : n;
  }

  get osRelease(): string | undefined {
    return this.entries.get('OSRELEASE');
  }

  get pageSize(): number | undefined {
    return this.parseDecimal('PAGESIZE');
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
    if (!/^-?\d+$/.test(s)) throw bad(key, v);
    return Number(s);
  }
}

function bad(key: string, value: string): VmsieveError {
  return new VmsieveError('E_BAD_VMCOREINFO', `VMCOREINFO ${key} has an unreadable value "${value}"`, { key, value });
}
