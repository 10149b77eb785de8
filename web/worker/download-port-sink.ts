/// <reference lib="webworker" />
import { VmsieveError, type SequentialSink } from '../../src/browser.js';
import type { DownloadChunk, DownloadRequest } from '../offline/download-protocol.js';

/**
 * The dump worker's end of a streamed download (see download-protocol.ts): each chunk waits until the service worker
 * asks for one, so the export runs at the download's pace and holds nothing back; a download cancelled in the browser
 * fails the next append, which stops the export.
 */
export class DownloadPortSink implements SequentialSink {
  private asked = 0;
  private wake: (() => void) | undefined;
  /** Why the export must stop: the download was cancelled, or never started. */
  private cancelled: VmsieveError | undefined;
  private done = false;

  constructor(
    private readonly port: MessagePort,
    readonly name: string,
  ) {
    port.onmessage = (e: MessageEvent<DownloadRequest>) => {
      const m = e.data;
      if ('pull' in m) this.asked++;
      else if ('cancelled' in m) this.cancelled = new VmsieveError('E_CANCELLED', `the download of ${name} was cancelled in the browser (${m.cancelled})`);
      else this.cancelled = new VmsieveError('E_IO', `${name}: ${m.unstarted}`);
      this.wake?.();
    };
  }

  async append(bytes: Uint8Array): Promise<void> {
    while (this.asked === 0 && !this.cancelled) await new Promise<void>((r) => (this.wake = r));
    if (this.cancelled) throw this.cancelled;
    this.asked--;
    // A copy the port can take: the writer may still hold `bytes` (see ByteSink.write).
    const chunk = bytes.slice();
    this.send({ chunk }, [chunk.buffer]);
  }

  async close(): Promise<void> {
    this.finish({ end: true });
  }

  async abort(): Promise<void> {
    this.finish({ failed: 'the export was cancelled or failed' });
  }

  private finish(m: DownloadChunk): void {
    if (this.done) return;
    this.done = true;
    // An append still waiting for the download to ask fails instead of waiting for ever.
    this.cancelled ??= new VmsieveError('E_CANCELLED', `the download of ${this.name} has ended`);
    this.wake?.();
    this.send(m);
    this.port.close();
  }

  private send(m: DownloadChunk, transfer: Transferable[] = []): void {
    this.port.postMessage(m, transfer);
  }
}
