// A paused live window's copy: the history moves on while the view stays, so the window is kept as
// last fetched whole, and shown from the copy once the history no longer holds it.
import type { ColumnsReply } from '../../../main/api/domains/session.ts';

type Columns = Pick<ColumnsReply, 'fromColumn' | 'count' | 'minmax'>;

export class KeptWindow {
  /** A paused live window the history has moved past: drawn from the copy kept when it was fetched, or gone (another span, raw/processed). */
  beyondHistory = $state<'kept' | 'gone' | null>(null);
  /**
   * That copy: the paused window (ending at column `right`) as last fetched whole, while the history
   * still held it. `toNewest`: it ended at the newest sample there was, short of the window's right
   * edge (paused before a young run had filled the window): for that window it is all there was.
   */
  #kept: (Columns & { spc: number; processed: boolean; right: number; toNewest: boolean }) | null = null;

  /** Nothing kept, nothing said (another source, following again). */
  reset(): void {
    this.#kept = null;
    this.beyondHistory = null;
  }

  /** The copy no longer shows what the source holds (processed anew): dropped, though what is said stays. */
  drop(): void {
    this.#kept = null;
  }

  /** The first column of the copy at `spc` samples per column, if one is kept at that resolution. */
  fromColumnAt(spc: number): number | null {
    return this.#kept?.spc === spc ? this.#kept.fromColumn : null;
  }

  /** Sitting paused, the history has moved past the window at `spc` without a fetch: say so as it happens. */
  historyMovedPast(spc: number): void {
    if (this.beyondHistory === null) this.beyondHistory = this.#kept?.spc === spc ? 'kept' : 'gone';
  }

  /**
   * A paused live window fetched whole (ending at column `right`, `width` columns): kept while the
   * history still holds its start; once the history has moved past it, the kept copy is shown
   * instead of what is left (nothing, or its end).
   */
  keepOrRestore(reply: ColumnsReply, right: number, width: number, spc: number, processed: boolean): Columns {
    const held = reply.oldestSample <= Math.max(0, right - width) * spc;
    const k = this.#kept;
    if (held) {
      const toNewest = reply.count > 0 && (reply.fromColumn + reply.count) * spc >= reply.newestSample;
      this.#kept = { spc, processed, right, toNewest, fromColumn: reply.fromColumn, count: reply.count, minmax: reply.minmax };
      this.beyondHistory = null;
      return reply;
    }
    // A copy cut short at the newest sample stands for its own window only: one scrolled on from it
    // would show less than the history still holds of it.
    const covers = k !== null && k.spc === spc && k.processed === processed && k.fromColumn <= Math.max(0, right - width) && (k.fromColumn + k.count >= right || (k.toNewest && k.right === right));
    this.beyondHistory = covers ? 'kept' : 'gone';
    return covers ? k : reply;
  }
}
