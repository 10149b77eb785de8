/** One kernel symbol as kallsyms holds it: its nm-style type letter (t, T, d, D, b, B, r, R, W, A, ...). */
export interface KernelSymbol {
  name: string;
  type: string;
  address: bigint;
}

/** An address resolved the way the kernel prints it in a trace: `name+0x16/0x20`. */
export interface ResolvedAddress {
  address: bigint;
  name: string;
  type: string;
  /** Start of the symbol. */
  symbolAddress: bigint;
  offset: bigint;
  /** Distance to the next symbol at a higher address (the kernel's size in `name+off/size`). */
  size: bigint;
}

/** The image bounds the kernel itself resolves addresses within (is_ksym_addr with KALLSYMS_ALL: _stext.._end). */
export interface ImageBounds {
  start: bigint;
  end: bigint;
  /** Executable ranges: [_stext, _etext) and [_sinittext, _einittext) where the table has them. */
  text: Array<{ start: bigint; end: bigint }>;
}

export const formatResolved = (r: ResolvedAddress): string => `${r.name}+0x${r.offset.toString(16)}/0x${r.size.toString(16)}`;

/**
 * Every kallsyms symbol of a dump, sorted by address once, for address → name (binary search, the kernel's
 * get_symbol_pos rules: the first of aliased symbols, size up to the next higher address) and name → addresses.
 */
export class SymbolTable {
  private readonly byAddress: readonly KernelSymbol[];
  private readonly addresses: BigUint64Array;
  private readonly byName = new Map<string, KernelSymbol[]>();
  readonly bounds: ImageBounds;

  /** `symbols` in kallsyms order (which the kernel keeps sorted by address, ties in its preferred order). */
  constructor(readonly symbols: readonly KernelSymbol[]) {
    // kallsyms is already in address order; sort (stably, so aliases keep their order) only when it is not.
    let sorted = true;
    for (let i = 1; i < symbols.length && sorted; i++) sorted = symbols[i - 1].address <= symbols[i].address;
    this.byAddress = sorted ? symbols : [...symbols].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    this.addresses = new BigUint64Array(symbols.length);
    this.byAddress.forEach((s, i) => (this.addresses[i] = s.address));
    for (const s of symbols) {
      const list = this.byName.get(s.name);
      if (list) list.push(s);
      else this.byName.set(s.name, [s]);
    }
    this.bounds = this.imageBounds();
  }

  get size(): number {
    return this.byAddress.length;
  }

  /** Every symbol of that name (static functions and variables may share one), in address order. */
  lookupName(name: string): KernelSymbol[] {
    return [...(this.byName.get(name) ?? [])].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  /** The symbol an address falls in, or undefined outside the kernel image. */
  resolve(address: bigint): ResolvedAddress | undefined {
    if (address < this.bounds.start || address >= this.bounds.end) return undefined;
    let pos = this.lastAtOrBelow(address);
    if (pos < 0) return undefined;
    const start = this.addresses[pos];
    while (pos > 0 && this.addresses[pos - 1] === start) pos--;
    let next = pos + 1;
    while (next < this.addresses.length && this.addresses[next] === start) next++;
    const end = next < this.addresses.length ? this.addresses[next] : this.bounds.end;
    const s = this.byAddress[pos];
    return { address, name: s.name, type: s.type, symbolAddress: start, offset: address - start, size: end - start };
  }

  /** True when the address lies in the kernel's executable text. */
  isText(address: bigint): boolean {
    return this.bounds.text.some((r) => address >= r.start && address < r.end);
  }

  /** Symbols whose type letter is one of `types`, in address order. */
  ofTypes(types: string): KernelSymbol[] {
    return this.byAddress.filter((s) => types.includes(s.type));
  }

  /** The extent of a symbol: to the next symbol at a higher address, within the image. */
  extent(s: KernelSymbol): bigint {
    const r = this.resolve(s.address);
    return r ? r.size : 0n;
  }

  private lastAtOrBelow(address: bigint): number {
    let lo = 0;
    let hi = this.addresses.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.addresses[mid] <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  private first(name: string): bigint | undefined {
    return this.byName.get(name)?.[0]?.address;
  }

  private imageBounds(): ImageBounds {
    const text: ImageBounds['text'] = [];
    const stext = this.first('_stext');
    const etext = this.first('_etext');
    if (stext !== undefined && etext !== undefined) text.push({ start: stext, end: etext });
    const sinit = this.first('_sinittext');
    const einit = this.first('_einittext');
    if (sinit !== undefined && einit !== undefined) text.push({ start: sinit, end: einit });
    const start = this.first('_text') ?? stext ?? this.addresses[0] ?? 0n;
    const last = this.addresses[this.addresses.length - 1] ?? 0n;
    const end = this.first('_end') ?? last + 1n;
    return { start, end, text };
  }
}
