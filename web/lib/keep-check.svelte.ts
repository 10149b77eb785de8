import type { KeepCounts, KeepLevel } from '../worker/dump-worker.js';
import type { DumpClient } from './dump-client.js';

/** What each dump level leaves out of the pages crash and drgn need: counted once per dump, listed for one level. */
export class KeepCheck {
  counts = $state.raw<KeepCounts | null>(null);
  /** The list for the level last asked about, once it has come. */
  lost = $state.raw<KeepLevel | null>(null);

  readonly #client: () => DumpClient;
  #wanted = -1;

  constructor(client: () => DumpClient) {
    this.#client = client;
  }

  /** Counts, per level, the needed pages it leaves out. */
  load(): void {
    void this.#client()
      .keepCounts()
      .then(
        (k) => (this.counts = k),
        () => (this.counts = null),
      );
  }

  /** Needed pages level `l` leaves out (0 while the counts are not known, or the check cannot be made). */
  lostAt(l: number): number {
    return this.counts?.available ? this.counts.droppedByLevel[l] : 0;
  }

  /** Fetches the list of what level `l` leaves out, if it leaves anything out; the level asked about last wins. */
  listFor(l: number): void {
    this.#wanted = l;
    if (this.lostAt(l) === 0) {
      this.lost = null;
      return;
    }
    void this.#client()
      .keepLevel(l)
      .then(
        (k) => {
          if (k.level === this.#wanted) this.lost = k;
        },
        () => (this.lost = null),
      );
  }
}
