import type { ByteSink } from '../../io/sink.js';

const FLUSH_BYTES = 1 << 20;

/** Appends bytes at a moving offset, in writes of about FLUSH_BYTES. */
export class Appender {
  private parts: Uint8Array[] = [];
  private pending = 0;
  constructor(
    private readonly sink: ByteSink,
    public offset: number,
  ) {}
  async add(b: Uint8Array): Promise<void> {
    this.parts.push(b);
    this.pending += b.length;
    if (this.pending >= FLUSH_BYTES) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.pending) return;
    const out = new Uint8Array(this.pending);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    await this.sink.write(this.offset, out);
    this.offset += out.length;
    this.parts = [];
    this.pending = 0;
  }
}
